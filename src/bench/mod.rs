//! Benchmarks that print figures (not timed tests): `chartdesk bench notes`, `bench startup`,
//! `bench keys`, `bench sessions`.
pub mod corpus;
pub mod keys;
pub mod keys_data;
pub mod notes;
pub mod pty;
pub mod script;
pub mod sessions;
pub mod startup;
