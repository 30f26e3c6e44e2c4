//! The alert delivery queue (SPEC 5.3). Each alert is queued in the transaction that writes
//! it into its case's history and gets a stable id there. A consumer — the embedding
//! application's [`AlertHandler`], each webhook of the service — keeps a cursor: the last
//! id it acknowledged. Delivery reads past the cursor, hands each alert over, then moves
//! the cursor; a crash between the commit and the hand-over, or between the hand-over and
//! the acknowledgement, delivers again after restart. So every consumer receives each
//! alert at least once, and the stable id lets it act exactly once.
//!
//! Deliveries to one consumer take turns: the passes of one engine through an in-process
//! lock, engines sharing the database through a lease in the database held in the
//! engine's name (4 s of wall-clock time, renewed every second while a handler runs), so
//! alerts are not delivered twice while every deliverer stays alive. One that dies holding
//! the lease delays delivery by at most those 4 s; an engine whose pass failed (its
//! database restarted) takes its own lease back at once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use regflow_process::{AlertLevel, CaseId, CentreId, ClockKind, KindId, PlannedAlert};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

use crate::clock::{from_micros, micros};
use crate::engine::Engine;
use crate::error::{Error, Result};
use crate::store::{AlertRow, Conn};

/// An alert that was raised and written into its case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiredAlert {
    /// The alert's stable id in the delivery queue (SPEC 5.3): the same on every delivery.
    pub id: u64,
    /// The case.
    pub case_id: CaseId,
    /// The case's centre.
    pub centre: CentreId,
    /// The case's kind.
    pub kind: KindId,
    /// Which clock, which level, and the instant it was due.
    pub alert: PlannedAlert,
    /// When the engine raised it.
    pub raised_at: DateTime<Utc>,
}

/// A notice to a centre's staff besides case alerts (SPEC 17 §6); it also travels the
/// delivery queue ([`FiredNotice`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Notice {
    /// Its stable id.
    pub id: u64,
    /// The centre.
    pub centre: CentreId,
    /// `report_overdue`, `unreported_entries` or `excess_reports`.
    #[serde(rename = "type")]
    pub kind: String,
    /// What it is about: `{entry}/{target}/{message_id}`, or `{target}/{area}/{date}`.
    pub subject: String,
    /// When it came due.
    pub at: DateTime<Utc>,
    /// Its details.
    pub body: serde_json::Value,
}

/// A notice (SPEC 17 §6: `report_overdue`, `unreported_entries`, `excess_reports`) as it
/// travels the delivery queue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FiredNotice {
    /// Its id in the delivery queue, shared with alerts: the same on every delivery.
    pub id: u64,
    /// The notice.
    pub notice: Notice,
}

/// One item of the delivery queue: a case's deadline alert or a notice, in one id order.
#[derive(Debug, Clone, PartialEq)]
pub enum Queued {
    /// A deadline alert of a case (`type` `deadline`).
    Alert(FiredAlert),
    /// A notice to the centre's staff.
    Notice(FiredNotice),
}

impl Queued {
    /// Its stable id in the queue.
    pub fn id(&self) -> u64 {
        match self {
            Queued::Alert(a) => a.id,
            Queued::Notice(n) => n.id,
        }
    }

    /// Its centre.
    pub fn centre(&self) -> &CentreId {
        match self {
            Queued::Alert(a) => &a.centre,
            Queued::Notice(n) => &n.notice.centre,
        }
    }
}

/// What the embedding application does with an alert (notify staff, a dashboard…).
///
/// Called after the transaction that wrote the alert into history and into the delivery
/// queue has committed, at least once per alert (see [`crate::delivery`]): a process that
/// dies before the call, or before acknowledging it, delivers it again when an engine on
/// the database next runs. [`FiredAlert::id`] is stable, so a handler can act exactly once.
#[async_trait]
pub trait AlertHandler: Send + Sync {
    /// Receives one alert.
    async fn on_alert(&self, alert: &FiredAlert);

    /// Receives one alert and says whether it was taken: [`Delivery::Retry`] leaves it
    /// unacknowledged, to be handed over again on the next delivery (a webhook whose
    /// receiver is down). By default calls [`AlertHandler::on_alert`] and acknowledges.
    async fn deliver(&self, alert: &FiredAlert) -> Delivery {
        self.on_alert(alert).await;
        Delivery::Acknowledged
    }

    /// Receives one notice and says whether it was taken, as [`AlertHandler::deliver`]
    /// does. By default takes it unread (notices are also read with [`Engine::notices`]).
    async fn deliver_notice(&self, _notice: &FiredNotice) -> Delivery {
        Delivery::Acknowledged
    }
}

/// What became of one alert handed to an [`AlertHandler`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Taken: the consumer's cursor moves past it.
    Acknowledged,
    /// Not taken: delivery stops here and resumes with this alert next time.
    Retry,
}

/// A handler that does nothing: alerts are still written into history.
#[derive(Debug, Clone, Copy, Default)]
pub struct IgnoreAlerts;

#[async_trait]
impl AlertHandler for IgnoreAlerts {
    async fn on_alert(&self, _alert: &FiredAlert) {}
}

/// The consumer name of the handler given to [`Engine::run_due`] and [`Engine::watch`].
pub const HANDLER: &str = "handler";

/// How long a consumer's lease lasts without renewal.
const LEASE: chrono::Duration = chrono::Duration::seconds(4);

/// How often a deliverer renews its lease while a handler runs.
const HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(1);

/// A lease from now: (now, until), in microseconds of wall-clock time.
fn lease() -> (i64, i64) {
    let now = Utc::now();
    (micros(now), micros(now + LEASE))
}

/// Alerts read per round of delivery.
const ROUND: i64 = 64;

/// The `type` of a queued deadline alert.
const DEADLINE: &str = "deadline";

fn queued_of(row: AlertRow) -> Result<Queued> {
    if row.item_type == DEADLINE {
        return alert_of(row).map(Queued::Alert);
    }
    let corrupt = |e: String| Error::Corrupt(format!("queued notice {}: {e}", row.id));
    let id = u64::try_from(row.id).map_err(|e| corrupt(e.to_string()))?;
    let (Some(subject), Some(body)) = (row.subject, row.body) else {
        return Err(corrupt(format!("notice {} is not stored", row.notice_id)));
    };
    Ok(Queued::Notice(FiredNotice {
        id,
        notice: Notice {
            id: u64::try_from(row.notice_id).map_err(|e| corrupt(e.to_string()))?,
            centre: CentreId::new(row.centre.as_str()),
            kind: row.item_type,
            subject,
            at: from_micros(row.due_at),
            body: serde_json::from_str(&body).map_err(|e| corrupt(e.to_string()))?,
        },
    }))
}

fn alert_of(row: AlertRow) -> Result<FiredAlert> {
    let corrupt = |e: String| Error::Corrupt(format!("queued alert {}: {e}", row.id));
    Ok(FiredAlert {
        id: u64::try_from(row.id).map_err(|e| corrupt(e.to_string()))?,
        case_id: CaseId::new(row.case_id.as_str()),
        centre: CentreId::new(row.centre.as_str()),
        kind: KindId::parse(&row.kind).map_err(corrupt)?,
        alert: PlannedAlert {
            clock: row.clock.parse::<ClockKind>().map_err(corrupt)?,
            level: row.level.parse::<AlertLevel>().map_err(corrupt)?,
            at: from_micros(row.due_at),
        },
        raised_at: from_micros(row.raised_at),
    })
}

/// Queues `alerts`, raised at `at`, in the caller's transaction and gives each its id.
pub(crate) async fn enqueue(conn: &mut Conn<'_>, alerts: &mut [FiredAlert], at: DateTime<Utc>) -> Result<()> {
    let rows: Vec<AlertRow> = alerts
        .iter()
        .map(|a| AlertRow {
            id: 0,
            centre: a.centre.to_string(),
            case_id: a.case_id.to_string(),
            kind: a.kind.to_string(),
            clock: a.alert.clock.as_str().into(),
            level: a.alert.level.as_str().into(),
            due_at: micros(a.alert.at),
            raised_at: micros(at),
            item_type: DEADLINE.into(),
            notice_id: 0,
            subject: None,
            body: None,
        })
        .collect();
    for stored in conn.alerts_insert(&rows).await? {
        let fired = alert_of(stored)?;
        if let Some(a) = alerts.iter_mut().find(|a| a.case_id == fired.case_id && a.alert == fired.alert) {
            a.id = fired.id;
            a.raised_at = fired.raised_at;
        }
    }
    Ok(())
}

/// Raises a notice of `centre` once per (`kind`, `subject`) and queues it for delivery, in
/// the caller's transaction; whether it was raised now.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn notify(
    conn: &mut Conn<'_>,
    centre: &str,
    kind: &str,
    subject: &str,
    due: DateTime<Utc>,
    now: DateTime<Utc>,
    body: &serde_json::Value,
) -> Result<bool> {
    let Some(id) = conn.insert_notice(centre, kind, subject, micros(due), micros(now), &body.to_string()).await? else {
        return Ok(false);
    };
    let row = AlertRow {
        id: 0,
        centre: centre.to_owned(),
        case_id: String::new(),
        kind: String::new(),
        clock: String::new(),
        level: String::new(),
        due_at: micros(due),
        raised_at: micros(now),
        item_type: kind.to_owned(),
        notice_id: id,
        subject: None,
        body: None,
    };
    conn.alerts_insert(&[row]).await?;
    Ok(true)
}

impl Engine {
    /// Up to `limit` queued alerts after id `after`, of `centre` when given, oldest first:
    /// the feed of a stream that resumes where its reader left off.
    ///
    /// # Errors
    /// [`Error::Database`]; [`Error::Corrupt`] for a queued row that does not read back.
    pub async fn alerts_after(&self, centre: Option<&CentreId>, after: u64, limit: usize) -> Result<Vec<Queued>> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit.clamp(1, 1000)).unwrap_or(1000);
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().alerts_after(after, centre.map(CentreId::as_str), limit).await?;
        rows.into_iter().map(queued_of).collect()
    }

    /// The id of the newest queued alert (0 when none): where a new reader of
    /// [`Engine::alerts_after`] starts to see only what comes next.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn last_alert_id(&self) -> Result<u64> {
        let mut db = self.inner.db.acquire().await?;
        let id = db.conn().alerts_last_id().await?;
        Ok(u64::try_from(id).unwrap_or(0))
    }

    /// Per consumer, how many queued alerts it has not acknowledged.
    ///
    /// # Errors
    /// [`Error::Database`].
    pub async fn delivery_backlog(&self) -> Result<Vec<(String, u64)>> {
        let mut db = self.inner.db.acquire().await?;
        let rows = db.conn().delivery_backlog().await?;
        Ok(rows.into_iter().map(|(c, n)| (c, u64::try_from(n).unwrap_or(0))).collect())
    }

    /// Hands every alert queued past `consumer`'s cursor to `handler`, in id order, moving
    /// the cursor past those it acknowledges and stopping at the first it asks to retry;
    /// returns how many were acknowledged. While another call (of this engine or another)
    /// holds the consumer's lease, this one returns 0 at once: the holder re-reads the
    /// queue after releasing the lease, so an alert committed meanwhile is not left behind.
    /// No connection is held while the handler runs, so a handler may use the engine.
    ///
    /// # Errors
    /// [`Error::Database`]; alerts handed over before the error are acknowledged.
    pub async fn deliver(&self, consumer: &str, handler: &dyn AlertHandler) -> Result<usize> {
        let db = &self.inner.db;
        // A read first: with nothing queued past the cursor there is no lease to write.
        if !db.acquire().await?.conn().alerts_waiting(consumer).await? {
            return Ok(0);
        }
        let turn = self.delivery_turn(consumer);
        let owner = self.inner.delivery_owner.as_str();
        let mut delivered = 0;
        loop {
            // Another pass of this engine is delivering to the consumer: it reads the queue
            // again after its turn, so what was queued before this call is not left behind.
            let Ok(held) = turn.try_lock() else { return Ok(delivered) };
            let (now, until) = lease();
            let Some(mut last) = db.acquire().await?.conn().cursor_lease(consumer, owner, now, until).await? else {
                return Ok(delivered);
            };
            loop {
                let rows = db.acquire().await?.conn().alerts_after(last, None, ROUND).await?;
                if rows.is_empty() {
                    break;
                }
                for row in rows {
                    let id = row.id;
                    let item = queued_of(row)?;
                    if self.hand_over(consumer, &item, handler).await? == Delivery::Retry {
                        db.acquire().await?.conn().cursor_advance(consumer, owner, last, true).await?;
                        return Ok(delivered);
                    }
                    last = id;
                    delivered += 1;
                }
                let mut conn = db.acquire().await?;
                conn.conn().cursor_advance(consumer, owner, last, false).await?;
                let (now, until) = lease();
                if conn.conn().cursor_lease(consumer, owner, now, until).await?.is_none() {
                    // The lease lapsed and another engine took over: it goes on from `last`.
                    return Ok(delivered);
                }
            }
            let mut conn = db.acquire().await?;
            conn.conn().cursor_advance(consumer, owner, last, true).await?;
            drop(held);
            // A call that found the turn or the lease taken returned at once; what was
            // queued before it is delivered here.
            if conn.conn().alerts_after(last, None, 1).await?.is_empty() {
                return Ok(delivered);
            }
        }
    }

    /// The in-process lock of `consumer`'s deliveries.
    fn delivery_turn(&self, consumer: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut turns = self.inner.delivery_turns.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        turns.entry(consumer.to_owned()).or_default().clone()
    }

    /// Hands one item to `handler`, renewing the consumer's lease every second while the
    /// handler runs: a live deliverer keeps it however long the handler takes.
    async fn hand_over(&self, consumer: &str, item: &Queued, handler: &dyn AlertHandler) -> Result<Delivery> {
        let call = async {
            match item {
                Queued::Alert(a) => handler.deliver(a).await,
                Queued::Notice(n) => handler.deliver_notice(n).await,
            }
        };
        tokio::pin!(call);
        loop {
            tokio::select! {
                taken = &mut call => return Ok(taken),
                () = tokio::time::sleep(HEARTBEAT) => {
                    let (now, until) = lease();
                    let owner = self.inner.delivery_owner.as_str();
                    // Lost, or the database away: the handler goes on; the cursor moves only
                    // for the lease's owner, so at worst the item is delivered again.
                    let renewed = async { self.inner.db.acquire().await?.conn().cursor_lease(consumer, owner, now, until).await };
                    if let Err(e) = renewed.await {
                        tracing::warn!(%consumer, error = %e, "renewing the delivery lease failed");
                    }
                }
            }
        }
    }
}
