//! Supervisor figures (throughput, backlog, queries, accuracy): pure functions over rows the store
//! reads, so every metric can be tested on a hand-built event set with known answers.
pub mod accuracy;
pub mod activity;
pub mod backlog;
pub mod queries;
pub mod throughput;
