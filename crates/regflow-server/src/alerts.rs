//! Alerts leaving the service (SPEC 5.3, 10): a Server-Sent Events stream of the caller's
//! centre, resumable with `Last-Event-ID`, and signed webhooks retried with back-off. Both
//! read the engine's delivery queue, so an alert committed before a crash still goes out.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::Stream;
use hmac::{Hmac, Mac};
use regflow_executor::{AlertHandler, Delivery, Engine, FiredAlert, FiredNotice, Queued};
use regflow_process::{CentreId, OfficeHours};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

use crate::auth::Caller;
use crate::config::WebhookConfig;
use crate::metrics::Metrics;
use crate::problem::Problem;
use crate::AppState;

/// How often a waiting stream or webhook looks at the queue when nothing signals it (an
/// alert fired by another process sharing the database).
const POLL: Duration = Duration::from_secs(1);

/// The header that carries a webhook body's signature: `sha256=` and the hex HMAC-SHA256 of
/// the body under the webhook's secret.
pub const SIGNATURE_HEADER: &str = "x-regflow-signature";
/// The header that carries the alert's stable id.
pub const ALERT_ID_HEADER: &str = "x-regflow-alert-id";

/// The JSON of an alert, times in its centre's offset.
pub fn alert_doc(alert: &FiredAlert, hours: &OfficeHours) -> Value {
    json!({
        "id": alert.id,
        "type": "deadline",
        "case": alert.case_id,
        "centre": alert.centre,
        "kind": alert.kind,
        "clock": alert.alert.clock,
        "level": alert.alert.level,
        "due_at": hours.format(alert.alert.at),
        "raised_at": hours.format(alert.raised_at),
    })
}

/// The JSON of a notice in the queue (SPEC 17 §6), times in its centre's offset.
pub fn notice_doc(notice: &FiredNotice, hours: &OfficeHours) -> Value {
    let n = &notice.notice;
    let mut body = n.body.clone();
    crate::view::localise(&mut body, hours);
    json!({
        "id": notice.id,
        "type": n.kind,
        "centre": n.centre,
        "subject": n.subject,
        "at": hours.format(n.at),
        "body": body,
    })
}

/// The JSON of any item of the queue.
pub fn queued_doc(item: &Queued, hours: &OfficeHours) -> Value {
    match item {
        Queued::Alert(a) => alert_doc(a, hours),
        Queued::Notice(n) => notice_doc(n, hours),
    }
}

fn hours_of(engine: &Engine, centre: &CentreId) -> OfficeHours {
    engine.centre(centre).map(|c| c.hours).unwrap_or_default()
}

/// The handler of the service's watcher: counts each alert and tells streams and webhooks
/// that one arrived.
#[derive(Debug)]
pub struct Fanout {
    signal: watch::Sender<u64>,
    metrics: Arc<Metrics>,
}

impl Fanout {
    /// A fan-out with no alert yet.
    pub fn new(metrics: Arc<Metrics>) -> Fanout {
        Fanout { signal: watch::channel(0).0, metrics }
    }

    /// A receiver that changes when alerts arrive.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.signal.subscribe()
    }
}

#[async_trait::async_trait]
impl AlertHandler for Fanout {
    async fn on_alert(&self, alert: &FiredAlert) {
        tracing::info!(id = alert.id, case = %alert.case_id, clock = %alert.alert.clock, level = %alert.alert.level, "alert");
        self.metrics.fired();
        self.signal.send_modify(|last| *last = (*last).max(alert.id));
    }

    async fn deliver_notice(&self, notice: &FiredNotice) -> Delivery {
        tracing::info!(id = notice.id, kind = %notice.notice.kind, subject = %notice.notice.subject, "notice");
        self.signal.send_modify(|last| *last = (*last).max(notice.id));
        Delivery::Acknowledged
    }
}

/// The query of `GET /v1/alerts/stream`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamQuery {
    /// Start after this alert id (as `Last-Event-ID` does).
    after: Option<u64>,
}

struct Feed {
    state: AppState,
    caller: regflow_process::Actor,
    centre: CentreId,
    last: u64,
    buffer: VecDeque<Queued>,
    signal: watch::Receiver<u64>,
}

/// `GET /v1/alerts/stream`: the caller's centre's alerts as Server-Sent Events, each with
/// `id:` the alert's id; from after `Last-Event-ID` (or `?after=`), else from now on.
pub async fn stream(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    query: Result<Query<StreamQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, Problem> {
    let Query(q) = query.map_err(|e| Problem::argument("query", e.body_text()))?;
    let resume = match headers.get("last-event-id") {
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<u64>().ok())
                .ok_or_else(|| Problem::argument("Last-Event-ID", "`Last-Event-ID` must be an alert id"))?,
        ),
        None => q.after,
    };
    let last = match resume {
        Some(id) => id,
        None => state.engine.last_alert_id().await?,
    };
    // Refused here, before any stream, when the caller does not follow the centre's alerts.
    state.engine.as_actor(&caller.actor).alerts_after(last, 1).await?;
    let feed = Feed {
        signal: state.fanout.subscribe(),
        caller: caller.actor.clone(),
        centre: caller.actor.centre().clone(),
        state,
        last,
        buffer: VecDeque::new(),
    };
    let events = futures_util::stream::unfold(feed, |mut feed| async move {
        loop {
            if let Some(item) = feed.buffer.pop_front() {
                feed.last = item.id();
                feed.state.metrics.delivered("stream");
                let doc = queued_doc(&item, &hours_of(&feed.state.engine, &feed.centre));
                let event = Event::default().id(item.id().to_string()).event("alert").data(doc.to_string());
                return Some((Ok(event), feed));
            }
            match feed.state.engine.as_actor(&feed.caller).alerts_after(feed.last, 100).await {
                Ok(found) if !found.is_empty() => feed.buffer.extend(found),
                Ok(_) => {
                    let _ = tokio::time::timeout(POLL, feed.signal.changed()).await;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "alert stream: reading the queue failed; retrying");
                    tokio::time::sleep(POLL).await;
                }
            }
        }
    });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// Signs `body` with `secret`: the value of [`SIGNATURE_HEADER`].
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// POSTs the JSON `body` to `url` with `headers` and its signature under `secret`; `Err`
/// says why it was not taken (an answer other than 2xx, or none).
pub(crate) async fn post_signed(
    http: &reqwest::Client,
    url: &str,
    secret: &str,
    headers: &[(&str, &str)],
    body: String,
) -> Result<(), String> {
    let mut req = http
        .post(url)
        .header("content-type", "application/json")
        .header(SIGNATURE_HEADER, signature(secret, body.as_bytes()));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    match req.body(body).send().await {
        Ok(r) if r.status().is_success() => Ok(()),
        Ok(r) => Err(r.status().to_string()),
        Err(e) => Err(e.to_string()),
    }
}

/// One webhook as an [`AlertHandler`]: posts each alert of its centre, signed; an answer
/// other than 2xx (or none) leaves the alert unacknowledged.
struct Webhook {
    config: WebhookConfig,
    engine: Engine,
    metrics: Arc<Metrics>,
    http: reqwest::Client,
    failed: AtomicBool,
}

#[async_trait::async_trait]
impl AlertHandler for Webhook {
    async fn on_alert(&self, _alert: &FiredAlert) {}

    async fn deliver(&self, alert: &FiredAlert) -> Delivery {
        self.post(&Queued::Alert(alert.clone())).await
    }

    async fn deliver_notice(&self, notice: &FiredNotice) -> Delivery {
        self.post(&Queued::Notice(notice.clone())).await
    }
}

impl Webhook {
    /// Posts one item of the queue, signed; 2xx takes it.
    async fn post(&self, item: &Queued) -> Delivery {
        if self.config.centre.as_deref().is_some_and(|c| c != item.centre().as_str()) {
            return Delivery::Acknowledged;
        }
        let body = queued_doc(item, &hours_of(&self.engine, item.centre())).to_string();
        let id = item.id().to_string();
        match post_signed(&self.http, &self.config.url, &self.config.secret, &[(ALERT_ID_HEADER, &id)], body).await {
            Ok(()) => {
                self.metrics.delivered("webhook");
                Delivery::Acknowledged
            }
            Err(why) => {
                tracing::warn!(webhook = %self.config.name, alert = item.id(), %why, "webhook delivery failed; will retry");
                self.failed.store(true, Ordering::Relaxed);
                Delivery::Retry
            }
        }
    }
}

/// Runs one webhook until `stop` turns true: delivers what is queued, waits for more, and
/// after a failure backs off (doubling from the configured first wait up to a minute).
pub async fn run_webhook(
    engine: Engine,
    metrics: Arc<Metrics>,
    config: WebhookConfig,
    fanout: watch::Receiver<u64>,
    mut stop: watch::Receiver<bool>,
) {
    let first = Duration::from_millis(config.retry_initial_ms.max(1));
    let consumer = format!("webhook:{}", config.name);
    let hook = Webhook {
        engine: engine.clone(),
        metrics,
        http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default(),
        failed: AtomicBool::new(false),
        config,
    };
    let mut signal = fanout;
    let mut backoff = crate::backoff::Backoff::new(first);
    while !*stop.borrow() {
        if let Err(e) = engine.deliver(&consumer, &hook).await {
            tracing::warn!(%consumer, error = %e, "webhook delivery pass failed");
            hook.failed.store(true, Ordering::Relaxed);
        }
        let wait = backoff.after(hook.failed.swap(false, Ordering::Relaxed), POLL);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = signal.changed(), if wait == POLL => {}
            _ = stop.changed() => {}
        }
    }
}
