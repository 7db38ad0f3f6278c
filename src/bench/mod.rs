//! Benchmarks that print figures (not timed tests): `chartdesk bench notes`, `bench startup`.
pub mod corpus;
pub mod notes;
pub mod startup;
