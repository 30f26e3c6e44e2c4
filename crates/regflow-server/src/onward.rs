//! Report targets served by a webhook (SPEC 14.1, 11 `[[centres.report_targets]]`): each
//! is its own consumer of the delivery queue, POSTing its centre's reports and closed daily
//! logs, signed as alerts are (HMAC-SHA256 of the body in
//! [`crate::alerts::SIGNATURE_HEADER`]), retried
//! with back-off under the same message id until the receiver answers 2xx. The receiver
//! answers each report later with `POST /v1/register-entries/{id}/reports/{target}/ack`.

use regflow_executor::{Delivery, Engine, ReportHandler, ReportMessage};
use regflow_process::register::log::DailyLog;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;

use crate::alerts::post_signed;
use crate::config::ReportHookConfig;
use crate::metrics::Metrics;

/// The header naming what the body is: `report` or `daily_log`.
pub const MESSAGE_TYPE_HEADER: &str = "x-regflow-message-type";
/// The header carrying a report's message id (a daily log's is `{target}/{area}/{date}`).
pub const MESSAGE_ID_HEADER: &str = "x-regflow-message-id";

/// How often an idle webhook looks at the queue.
const POLL: Duration = Duration::from_secs(1);

struct ReportHook {
    config: ReportHookConfig,
    http: reqwest::Client,
    metrics: Arc<Metrics>,
    failed: AtomicBool,
}

impl ReportHook {
    async fn post(&self, kind: &str, id: &str, body: String) -> Delivery {
        let headers = [(MESSAGE_TYPE_HEADER, kind), (MESSAGE_ID_HEADER, id)];
        match post_signed(&self.http, &self.config.url, &self.config.secret, &headers, body).await {
            Ok(()) => {
                self.metrics.delivered("report_webhook");
                Delivery::Acknowledged
            }
            Err(why) => {
                tracing::warn!(centre = %self.config.centre, target = %self.config.target, %id, %why,
                    "report webhook delivery failed; will retry");
                self.failed.store(true, Ordering::Relaxed);
                Delivery::Retry
            }
        }
    }
}

#[async_trait::async_trait]
impl ReportHandler for ReportHook {
    async fn report(&self, message: &ReportMessage) -> Delivery {
        match serde_json::to_string(message) {
            Ok(body) => self.post("report", &message.message_id.to_string(), body).await,
            Err(_) => Delivery::Retry,
        }
    }

    async fn daily_log(&self, log: &DailyLog) -> Delivery {
        let id = format!("{}/{}/{}", log.target, log.area, log.date);
        match serde_json::to_string(log) {
            Ok(body) => self.post("daily_log", &id, body).await,
            Err(_) => Delivery::Retry,
        }
    }
}

/// Runs one target's webhook until `stop` turns true: delivers what is queued, looks again
/// every second, and after a failure backs off (doubling from the configured first wait up
/// to a minute).
pub async fn run(engine: Engine, metrics: Arc<Metrics>, config: ReportHookConfig, mut stop: watch::Receiver<bool>) {
    let first = Duration::from_millis(config.retry_initial_ms.max(1));
    let hook = ReportHook {
        http: reqwest::Client::builder().timeout(Duration::from_secs(10)).build().unwrap_or_default(),
        metrics,
        failed: AtomicBool::new(false),
        config,
    };
    let mut backoff = crate::backoff::Backoff::new(first);
    while !*stop.borrow() {
        if let Err(e) = engine.deliver_reports_to(&hook.config.centre, hook.config.target, &hook).await {
            tracing::warn!(centre = %hook.config.centre, target = %hook.config.target, error = %e,
                "report delivery pass failed");
            hook.failed.store(true, Ordering::Relaxed);
        }
        let wait = backoff.after(hook.failed.swap(false, Ordering::Relaxed), POLL);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => {}
        }
    }
}
