//! Benchmarks that print figures (not timed tests): `chartdesk bench notes`.
pub mod corpus;
pub mod notes;
