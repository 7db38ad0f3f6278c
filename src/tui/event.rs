//! The event loop: draw when something changed, wait for a key with a timeout (never a busy loop),
//! turn keys into actions, collect code-search answers, refresh on a timer, stop on a signal.
use crate::tui::app::{Action, App, update};
use crate::tui::{keymap, render};
use anyhow::{Context, Result};
use ratatui::DefaultTerminal;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long to wait for a key while a code search is out (its answer is shown this soon).
const SEARCH_POLL: Duration = Duration::from_millis(15);
/// Longest wait for a key when idle, so a termination signal is noticed promptly.
const IDLE_POLL: Duration = Duration::from_millis(250);

/// Runs until the user quits or `stop` is set (by a signal handler).
pub fn run_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    refresh: Duration,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    let size = terminal.size().context("reading the terminal size")?;
    update(app, Action::Resize(size.width, size.height));
    let mut dirty = true;
    let mut last_tick = Instant::now();
    loop {
        if dirty {
            terminal
                .draw(|f| render::render(&app.state, f))
                .context("drawing the screen")?;
            dirty = false;
        }
        if app.state.quit {
            return Ok(());
        }
        if stop.load(Ordering::Relaxed) {
            tracing::info!("termination signal: leaving cleanly");
            update(app, Action::Quit);
            return Ok(());
        }
        let until_tick = refresh.saturating_sub(last_tick.elapsed());
        let wait = if app.search_pending() {
            SEARCH_POLL
        } else {
            until_tick.min(IDLE_POLL)
        };
        if event::poll(wait).context("waiting for keyboard input")? {
            match event::read().context("reading keyboard input")? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    if let Some(action) = keymap::map(&app.state, key) {
                        update(app, action);
                        dirty = true;
                    }
                }
                Event::Resize(w, h) => {
                    update(app, Action::Resize(w, h));
                    terminal.autoresize().context("resizing the screen")?;
                    dirty = true;
                }
                Event::FocusGained => dirty = true,
                _ => {}
            }
        }
        while app.poll_search(Duration::ZERO) {
            dirty = true;
        }
        if last_tick.elapsed() >= refresh {
            last_tick = Instant::now();
            update(app, Action::Tick);
            dirty = true;
        }
    }
}
