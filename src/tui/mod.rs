//! The full-screen coding workstation: worklist and encounter screens over the service.
//!
//! `run` owns the terminal: it switches to raw mode and the alternate screen and puts the terminal
//! back on every way out (normal quit, error, panic via ratatui's hook, SIGTERM/SIGHUP via a flag
//! the event loop watches). Nothing is printed while the screen is ours; logs go through `tracing`.
pub mod app;
mod assign;
mod code_search;
mod coding;
pub mod command;
pub mod dashboard;
pub mod detail_nav;
mod drg;
pub mod edits;
pub mod event;
pub mod find;
pub mod keymap;
pub mod keys;
pub mod layout;
pub mod modal;
pub mod notes_search;
pub mod notes_worker;
pub mod pcs_browser;
pub mod queries;
pub mod render;
pub mod rows;
pub mod search_worker;
pub mod state;
pub mod theme;
pub mod widgets;
pub mod worker;

#[cfg(test)]
mod tests;

pub use app::{Action, App, update};
pub use render::render;
pub use state::State;

use crate::config::Config;
use crate::service::Service;
use anyhow::{Context, Result};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Puts the terminal back (cooked mode, main screen) when dropped, whatever the exit path.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if let Err(e) = ratatui::try_restore() {
            tracing::warn!("restoring the terminal: {e}");
        }
    }
}

/// Runs the workstation until the user quits. Claims on an open encounter without codes are given
/// back on the way out, also after an error or a termination signal.
pub fn run(service: Service, config: &Config) -> Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let signals = signals::watch(&stop);
    let mut app = App::new(service, config);
    let refresh = Duration::from_millis(config.ui.refresh_ms.max(100));
    let idle_limit = Duration::from_secs(config.security.idle_minutes.max(1) * 60);
    let result = {
        let _guard = TerminalGuard;
        match ratatui::try_init() {
            Ok(mut terminal) => {
                event::run_loop(&mut terminal, &mut app, refresh, idle_limit, &stop)
            }
            Err(e) => Err(anyhow::Error::new(e).context(
                "setting up the terminal: chartdesk needs an interactive terminal (run it in a \
                 terminal, over ssh -t, or use the command-line subcommands)",
            )),
        }
    };
    if !app.state.quit {
        app.quit_now();
    }
    signals::unwatch(signals);
    if app.service().client().is_some()
        && let Err(e) = app.service.record_session("session_end", "")
    {
        tracing::warn!("auditing the end of the session: {e:#}");
    }
    result.context("running the workstation screen")
}

#[cfg(unix)]
mod signals {
    use signal_hook::SigId;
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    /// The first SIGTERM/SIGHUP/SIGINT sets `stop` (the loop leaves cleanly); a second one exits at once.
    pub fn watch(stop: &Arc<AtomicBool>) -> Vec<SigId> {
        let mut ids = Vec::new();
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            match signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(stop))
                .and_then(|a| Ok((a, signal_hook::flag::register(sig, Arc::clone(stop))?)))
            {
                Ok((a, b)) => ids.extend([a, b]),
                Err(e) => tracing::warn!("cannot watch signal {sig}: {e}"),
            }
        }
        ids
    }

    pub fn unwatch(ids: Vec<SigId>) {
        for id in ids {
            signal_hook::low_level::unregister(id);
        }
    }
}

#[cfg(not(unix))]
mod signals {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    pub fn watch(_stop: &Arc<AtomicBool>) -> Vec<()> {
        Vec::new()
    }
    pub fn unwatch(_ids: Vec<()>) {}
}
