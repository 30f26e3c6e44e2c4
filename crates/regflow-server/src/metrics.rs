//! Prometheus metrics at `GET /metrics` (prometheus-client): commands by name and outcome
//! with their latency, alerts fired and delivered, and — read from the database at scrape
//! time — the delivery backlog per consumer, open cases per state and the pool's use.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::time::Duration;

use crate::AppState;

/// A command's name and how it ended (`ok`, a SPEC 8 code, or `error`).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CommandLabels {
    /// The command.
    pub command: String,
    /// `ok`, the refusal code, or `error`.
    pub outcome: String,
}

/// The command only.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NameLabel {
    /// The command.
    pub command: String,
}

/// Where alerts went.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ChannelLabel {
    /// `webhook` or `stream`.
    pub channel: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConsumerLabel {
    consumer: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabel {
    connections: String,
}

/// The service's own metrics.
pub struct Metrics {
    registry: Registry,
    commands: Family<CommandLabels, Counter>,
    latency: Family<NameLabel, Histogram>,
    fired: Counter,
    delivered: Family<ChannelLabel, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// Registers the metrics.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("regflow");
        let commands = Family::<CommandLabels, Counter>::default();
        registry.register("commands", "Commands by name and outcome", commands.clone());
        let latency = Family::<NameLabel, Histogram>::new_with_constructor(|| {
            Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5])
        });
        registry.register("command_duration_seconds", "Command latency through the service", latency.clone());
        let fired = Counter::default();
        registry.register("alerts_fired", "Alerts this service's watcher raised and handed on", fired.clone());
        let delivered = Family::<ChannelLabel, Counter>::default();
        registry.register("alerts_delivered", "Alerts delivered, by channel", delivered.clone());
        Metrics { registry, commands, latency, fired, delivered }
    }

    /// Counts one command and its latency.
    pub fn command(&self, command: &str, outcome: &str, took: Duration) {
        self.commands.get_or_create(&CommandLabels { command: command.to_owned(), outcome: outcome.to_owned() }).inc();
        self.latency.get_or_create(&NameLabel { command: command.to_owned() }).observe(took.as_secs_f64());
    }

    /// Counts an alert raised by this service's watcher.
    pub fn fired(&self) {
        self.fired.inc();
    }

    /// Counts an alert delivered on `channel`.
    pub fn delivered(&self, channel: &str) {
        self.delivered.get_or_create(&ChannelLabel { channel: channel.to_owned() }).inc();
    }
}

/// Writes the gauges read from the database at scrape time.
async fn scraped(state: &AppState) -> Result<String, regflow_executor::Error> {
    let mut registry = Registry::with_prefix("regflow");
    let open = Family::<StateLabel, Gauge>::default();
    registry.register("open_cases", "Open cases by state", open.clone());
    for (s, n) in state.engine.open_cases_by_state().await? {
        open.get_or_create(&StateLabel { state: s.to_string() }).set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    let backlog = Family::<ConsumerLabel, Gauge>::default();
    registry.register("delivery_backlog", "Alerts queued and not yet acknowledged, by consumer", backlog.clone());
    for (consumer, n) in state.engine.delivery_backlog().await? {
        backlog.get_or_create(&ConsumerLabel { consumer }).set(i64::try_from(n).unwrap_or(i64::MAX));
    }
    let pool = Family::<PoolLabel, Gauge>::default();
    registry.register("pool_connections", "Database pool connections: open, idle, max", pool.clone());
    let (size, idle, max) = state.engine.database().pool_status();
    for (name, v) in [("open", size), ("idle", idle), ("max", max)] {
        pool.get_or_create(&PoolLabel { connections: name.into() }).set(i64::from(v));
    }
    let mut out = String::new();
    encode(&mut out, &registry).map_err(|e| regflow_executor::Error::Corrupt(e.to_string()))?;
    Ok(out)
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    if encode(&mut out, &state.metrics.registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    // Both registries end with `# EOF`; keep one, at the end.
    let mut text = out.trim_end().trim_end_matches("# EOF").to_owned();
    match scraped(&state).await {
        Ok(more) => text.push_str(&more),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: the database did not answer");
            text.push_str("# EOF\n");
        }
    }
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text).into_response()
}
