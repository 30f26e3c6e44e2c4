//! Executor tests: one suite, run on SQLite and, when `REGFLOW_PG_URL` is set, on PostgreSQL.

mod alerts;
mod backup;
mod batch;
mod calendar;
mod certificates;
mod crash;
mod delivery;
mod dst;
mod failover;
mod import;
mod information_queries;
mod integrity;
mod lifecycle;
mod queries;
mod races;
mod register;
mod schema;
mod signing;
mod support;
