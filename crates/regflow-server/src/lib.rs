//! # regflow-server
//!
//! The HTTP/JSON service of SPEC 10 on axum: every channel — the window desk, the online
//! portal, bank branches, kiosks, courts, the tax and housing departments — reaches the
//! [`Engine`] over the network. Every route is a thin adapter over the engine's public
//! API; no rule of the SPEC lives here. The caller is the actor its bearer token names
//! ([`auth`]); refusals are RFC 9457 problem details with the SPEC 8 code ([`problem`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use regflow_executor::{Engine, WatchOptions};
//! use regflow_server::{config::Config, Server};
//!
//! let engine = Engine::builder("sqlite://regflow.db").build().await?;
//! let server = Server::bind(engine, &Config::default()).await?;
//! println!("{}", server.url());
//! server.run(std::future::pending()).await?;
//! # Ok(()) }
//! ```

pub mod alerts;
pub mod auth;
mod backoff;
mod body;
mod calendar;
mod cases;
mod certificates;
pub mod config;
mod lists;
pub mod metrics;
pub mod onward;
pub mod openapi;
pub mod pages;
pub mod problem;
mod public;
mod query_results;
mod reporting;
mod units;
pub mod view;

use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;
use regflow_executor::{Engine, WatchOptions};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::alerts::Fanout;
use crate::auth::{RateLimiter, TokenCache};
use crate::config::{Config, Limits};
use crate::metrics::Metrics;
use crate::problem::Problem;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Shared>,
}

/// The state behind [`AppState`].
pub struct Shared {
    /// The engine.
    pub engine: Engine,
    /// Request limits.
    pub limits: Limits,
    /// Per-token request rates.
    pub rates: RateLimiter,
    /// Tokens checked recently.
    pub tokens: TokenCache,
    /// Signals alert streams that alerts were delivered.
    pub fanout: Arc<Fanout>,
    /// The service's metrics.
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document, built once.
    pub openapi: serde_json::Value,
    /// The web pages' templates.
    pub templates: minijinja::Environment<'static>,
    /// Signs the pages' sessions and forms.
    pub session_key: pages::Key,
    /// Per centre, the address certificates' QR codes point at (`verify_base`).
    pub verify_bases: std::collections::BTreeMap<String, String>,
    /// Whether the service runs as `serve --demo`.
    pub demo: bool,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.inner
    }
}

impl AppState {
    /// The state for `engine` under `limits`.
    pub fn new(engine: Engine, limits: Limits) -> AppState {
        let metrics = Arc::new(Metrics::new());
        let openapi = openapi::document(&engine);
        AppState {
            inner: Arc::new(Shared {
                engine,
                rates: RateLimiter::new(limits.requests_per_minute),
                tokens: TokenCache::default(),
                limits,
                fanout: Arc::new(Fanout::new(metrics.clone())),
                metrics,
                openapi,
                templates: pages::templates(),
                session_key: pages::Key::random(),
                verify_bases: std::collections::BTreeMap::new(),
                demo: false,
            }),
        }
    }

    /// The same state with each centre's `verify_base`; only before it is shared.
    #[must_use]
    pub fn with_verify_bases(mut self, bases: std::collections::BTreeMap<String, String>) -> AppState {
        if let Some(shared) = Arc::get_mut(&mut self.inner) {
            shared.verify_bases = bases;
        }
        self
    }

    /// The same state marked as the demo's; only before it is shared.
    #[must_use]
    pub fn with_demo(mut self, demo: bool) -> AppState {
        if let Some(shared) = Arc::get_mut(&mut self.inner) {
            shared.demo = demo;
        }
        self
    }

    /// The `verify_base` of `centre`, if configured.
    pub fn verify_base(&self, centre: &str) -> Option<&str> {
        self.verify_bases.get(centre).map(String::as_str)
    }
}

/// Every route of SPEC 10.
pub fn router(state: AppState) -> Router {
    let timeout = Duration::from_secs(state.limits.request_timeout_secs);
    Router::new()
        .route("/v1/health", get(public::health))
        .route("/v1/guides", get(public::guides))
        .route("/v1/guides/{kind}", get(public::guide))
        .route("/v1/cases", post(cases::create))
        .route("/v1/cases/{id}", get(cases::get))
        .route("/v1/cases/{id}/commands", post(cases::command))
        .route("/v1/cases/{id}/history", get(cases::history))
        .route("/v1/cases/{id}/verify", get(cases::verify))
        .route("/v1/cases/{id}/entries", get(units::case_entries))
        .route("/v1/units/{unit}", get(units::page))
        .route("/v1/certificates/{id}", get(certificates::file))
        .route("/v1/certificates/{id}/qr.svg", get(certificates::qr))
        .route("/v1/certificates/{id}/verify", get(certificates::verify))
        .route("/v1/keys/{centre}", get(certificates::keys))
        .route("/v1/query-results/{id}", get(query_results::file))
        .route("/v1/query-results/{id}/verify", get(query_results::verify))
        .route("/v1/cases/{id}/result", get(query_results::of_case))
        .route("/v1/query-log", get(query_results::log))
        .route("/v1/register-entries", get(reporting::list))
        .route("/v1/register-entries/{id}", get(reporting::get))
        .route("/v1/register-entries/{id}/reports/{target}/ack", post(reporting::ack))
        .route("/v1/register-entries/{id}/reports/{target}/retry", post(reporting::retry))
        .route("/v1/register-logs/{target}/{area}/{date}", get(reporting::log))
        .route("/v1/units/{unit}/entries", get(units::unit_entries))
        .route("/v1/queues/{role}", get(lists::queue))
        .route("/v1/my/cases", get(lists::my_cases))
        .route("/v1/reports", get(lists::report))
        .route("/v1/overdue", get(lists::overdue))
        .route("/v1/calendar", get(calendar::show).post(calendar::load))
        .route("/v1/alerts/stream", get(alerts::stream))
        .route("/metrics", get(metrics::metrics))
        .route(
            "/v1/openapi.json",
            get(|State(state): State<AppState>| async move { axum::Json(state.openapi.clone()) }),
        )
        .merge(pages::routes())
        .fallback(|| async {
            Problem::new(
                axum::http::StatusCode::NOT_FOUND,
                "not_found",
                "no such route: see /v1/health, /v1/guides and /v1/cases",
            )
        })
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::SERVICE_UNAVAILABLE, timeout))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A service bound to its address, not yet answering.
pub struct Server {
    listener: tokio::net::TcpListener,
    router: Router,
    addr: SocketAddr,
    state: AppState,
    webhooks: Vec<config::WebhookConfig>,
    report_hooks: Vec<config::ReportHookConfig>,
}

impl Server {
    /// Binds `config.listen` (port 0 picks a free port) for `engine`.
    ///
    /// # Errors
    /// The I/O error when the address cannot be bound.
    pub async fn bind(engine: Engine, config: &Config) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(&config.listen).await?;
        let addr = listener.local_addr()?;
        let state =
            AppState::new(engine, config.limits).with_verify_bases(config.verify_bases()).with_demo(config.demo);
        Ok(Server {
            listener,
            router: router(state.clone()),
            addr,
            state,
            webhooks: config.webhooks.clone(),
            report_hooks: config.report_hooks(),
        })
    }

    /// `http://HOST:PORT` of the bound address.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers requests until `shutdown` completes, then finishes the requests in flight.
    /// Meanwhile fires due alerts (the engine's watcher, handing them to the alert streams)
    /// and runs the webhooks, of alerts and of report targets; all stop with the service.
    ///
    /// # Errors
    /// The I/O error that stopped the listener; a watcher that failed.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let engine = self.state.engine.clone();
        let watcher = engine.watch(self.state.fanout.clone(), WatchOptions::default());
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let hooks: Vec<_> = self
            .webhooks
            .into_iter()
            .map(|w| {
                tokio::spawn(alerts::run_webhook(
                    engine.clone(),
                    self.state.metrics.clone(),
                    w,
                    self.state.fanout.subscribe(),
                    stopped.clone(),
                ))
            })
            .chain(
                self.report_hooks
                    .into_iter()
                    .map(|h| tokio::spawn(onward::run(engine.clone(), self.state.metrics.clone(), h, stopped.clone()))),
            )
            .collect();
        let served = axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await;
        let _ = stop.send(true);
        for h in hooks {
            let _ = h.await;
        }
        watcher.shutdown().await.map_err(std::io::Error::other)?;
        served
    }
}
