//! The service over real HTTP on an ephemeral port, on SQLite and (with `REGFLOW_PG_URL`)
//! PostgreSQL: every route, the status of each SPEC 8 code, isolation, idempotency, limits,
//! alerts, the pages, and a service killed between commit and delivery.

mod alerts;
mod cases;
mod certificates;
mod limits;
mod pages;
mod problems;
mod queries;
mod restart;
mod service;
mod support;
mod units;
