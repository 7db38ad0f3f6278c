//! State-transition tests: actions in, state out, against a real service on a temporary data dir.
mod cosmetics;
mod dashboard;
mod demo;
mod edits;
mod encoder;
mod fixture;
mod flow;
mod idle;
mod notes_search;
mod queries;
mod queries_flow;
mod refresh;
mod render;
mod snapshots;
mod state;
mod worklist_moves;
