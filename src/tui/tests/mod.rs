//! State-transition tests: actions in, state out, against a real service on a temporary data dir.
mod dashboard;
mod demo;
mod edits;
mod fixture;
mod flow;
mod render;
mod state;
