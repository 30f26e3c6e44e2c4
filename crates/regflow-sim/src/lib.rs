//! # regflow-sim
//!
//! Case flows simulated through regflow's public API, shared by the examples, the tests and
//! the `regflow` command:
//! - [`scenario`]: the SPEC 9 runner — JSON steps in, the cases and the refused steps out;
//! - [`simulation`]: a seeded month of a registration centre (arrivals of every kind,
//!   category and channel, staff with roles and daily capacity), reported as SPEC 7 figures.
//!
//! Not published: it is a tool of this repository, not part of the engine's API.

pub mod scenario;
pub mod simulation;
