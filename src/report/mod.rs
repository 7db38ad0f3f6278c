//! Supervisor figures (throughput, backlog, queries, accuracy): pure functions over rows the store
//! reads, so every metric can be tested on a hand-built set with known answers.
pub mod queries;
