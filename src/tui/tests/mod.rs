//! State-transition tests: actions in, state out, against a real service on a temporary data dir.
mod demo;
mod edits;
mod fixture;
mod flow;
mod queries;
mod queries_flow;
mod render;
mod state;
