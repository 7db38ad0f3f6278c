//! The event loop: draw when something changed, wait for input with a timeout (never a busy loop),
//! turn keys into actions, collect code-search answers, refresh on a timer, stop on a signal.
//!
//! Keyboard input is read on its own thread: when the terminal goes away (a dropped SSH link),
//! crossterm's reader can spin without returning, and the loop here must still notice the hang-up
//! signal or the failed redraw, give the claim back and exit.
use crate::tui::app::{Action, App, update};
use crate::tui::{keymap, render};
use anyhow::{Context, Result};
use ratatui::backend::Backend;
use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::{DefaultTerminal, Terminal};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// How long to wait for a key while a code search is out (its answer is shown this soon).
const SEARCH_POLL: Duration = Duration::from_millis(15);
/// Longest wait for a key when idle, so a termination signal is noticed promptly.
const IDLE_POLL: Duration = Duration::from_millis(250);
/// With no key for this long, periodic refreshes pause (no audited worklist reads for an empty
/// desk); the next key refreshes at once.
const IDLE_PAUSE: Duration = Duration::from_secs(10 * 60);

/// Terminal events from the input thread, or why it stopped.
fn spawn_input() -> Result<Receiver<Result<Event, String>>> {
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("tty-input".into())
        .spawn(move || {
            loop {
                let got = event::read().map_err(|e| format!("reading keyboard input: {e}"));
                let failed = got.is_err();
                if tx.send(got).is_err() || failed {
                    return;
                }
            }
        })
        .context("starting the keyboard input thread")?;
    Ok(rx)
}

/// Runs until the user quits or `stop` is set (by a signal handler).
pub fn run_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    refresh: Duration,
    idle_limit: Duration,
    stop: &Arc<AtomicBool>,
) -> Result<()> {
    // A fresh start in a terminal a killed instance left in the alternate screen must not draw
    // over its leftovers: wipe the screen once before the first frame.
    full_redraw(terminal, app).context("clearing the screen at start-up")?;
    let input = spawn_input()?;
    let mut dirty = true;
    let mut last_tick = Instant::now();
    let mut last_key = Instant::now();
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
        if app.idle_check(last_key.elapsed(), idle_limit) {
            tracing::info!("no key for {} s: logged off", idle_limit.as_secs());
            // Paint the emptied state over every cell before the terminal is given back.
            full_redraw(terminal, app).context("clearing the screen at log-off")?;
            terminal
                .draw(|f| render::render(&app.state, f))
                .context("drawing the screen")?;
            return Ok(());
        }
        if stop.load(Ordering::Relaxed) {
            tracing::info!("termination signal: leaving cleanly");
            update(app, Action::Quit);
            return Ok(());
        }
        let until_tick = refresh.saturating_sub(last_tick.elapsed());
        let wait = if app.search_pending() || app.notes_pending() {
            SEARCH_POLL
        } else {
            until_tick.min(IDLE_POLL)
        };
        match input.recv_timeout(wait) {
            Ok(Ok(ev)) => {
                if last_key.elapsed() >= IDLE_PAUSE {
                    update(app, Action::Tick);
                    last_tick = Instant::now();
                    dirty = true;
                }
                last_key = Instant::now();
                dirty |= handle(terminal, app, ev)?;
                // Apply whatever else is already queued (a burst of resize events while a window
                // is dragged) before drawing, so the screen shows the final size at once.
                while !app.state.quit
                    && let Ok(next) = input.try_recv()
                {
                    dirty |= handle(terminal, app, next.map_err(anyhow::Error::msg)?)?;
                }
            }
            Ok(Err(msg)) => anyhow::bail!("{msg}"),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                anyhow::bail!("the keyboard input thread stopped")
            }
        }
        while app.poll_search(Duration::ZERO) {
            dirty = true;
        }
        while app.poll_notes(Duration::ZERO) {
            dirty = true;
        }
        if last_tick.elapsed() >= refresh {
            last_tick = Instant::now();
            if last_key.elapsed() < IDLE_PAUSE {
                update(app, Action::Tick);
                dirty = true;
            } else {
                // Still check the terminal is there (a hung-up terminal fails here).
                terminal.autoresize().context("checking the terminal")?;
            }
        }
    }
}

/// Wipes the screen and forgets what was drawn, so the next draw repaints every cell at the size
/// the terminal has now (the size in a resize event can already be stale), and tells the app.
///
/// `Terminal::resize` clears the whole screen and resets the back buffer. `Terminal::clear` would
/// do the same but first asks the terminal for the cursor position, which waits on the input
/// thread's reader (up to two seconds, then fails), so it is not used here.
pub(crate) fn full_redraw<B>(terminal: &mut Terminal<B>, app: &mut App) -> Result<()>
where
    B: Backend,
    B::Error: Send + Sync + 'static,
{
    let size = terminal.size().context("reading the terminal size")?;
    terminal
        .resize(ratatui::layout::Rect::new(0, 0, size.width, size.height))
        .context("clearing the screen")?;
    update(app, Action::Resize(size.width, size.height));
    Ok(())
}

/// Applies one terminal event; true if the screen needs drawing.
fn handle(terminal: &mut DefaultTerminal, app: &mut App, ev: Event) -> Result<bool> {
    Ok(match ev {
        Event::Key(key) if key.kind != KeyEventKind::Release => {
            match keymap::map(&app.state, key) {
                Some(action) => {
                    update(app, action);
                    true
                }
                None => false,
            }
        }
        Event::Resize(..) => {
            full_redraw(terminal, app).context("resizing the screen")?;
            true
        }
        Event::FocusGained => true,
        _ => false,
    })
}
