//! chartdesk: a keyboard-first terminal coding workstation for hospital HIM.
//!
//! Layering (see README, Architecture): `tui` and `cli` call `service`, the one door; `service` checks
//! roles, runs work in SQLite transactions through `store` and writes the audit row in the same
//! transaction; `search` holds the derived tantivy indexes.
pub mod bench;
pub mod cli;
pub mod codeset;
pub mod config;
pub mod demo;
pub mod domain;
pub mod edits;
pub mod grouper;
pub mod limits;
pub mod notes;
pub mod report;
pub mod search;
pub mod service;
pub mod ssh;
pub mod store;
pub mod tui;
