//! Code search from the encounter screen: send the typed query to the search thread, show answers
//! that match the newest query and drop stale ones.
use crate::tui::app::App;
use crate::tui::search_worker::{SearchOutcome, SearchRequest};
use crate::tui::state::StatusKind;

impl App {
    /// Sends what is in the search box to the search thread (or clears the results).
    pub(crate) fn submit_search(&mut self) {
        let mut options = self.search_options.clone();
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let s = &mut enc.search;
        let query = s.input.text.trim().to_string();
        s.requested += 1;
        s.error = None;
        if query.is_empty() {
            s.results.clear();
            s.results_query.clear();
            s.shown = s.requested;
            s.pos = Default::default();
            self.refresh_detail();
            return;
        }
        options.systems = s.systems.systems();
        let req = SearchRequest {
            generation: s.requested,
            query,
            options,
        };
        match &self.worker {
            Some(w) => w.submit(req),
            None => {
                let started = std::time::Instant::now();
                let hits = self
                    .service
                    .search_codes(&req.query, &req.options)
                    .map_err(|e| format!("{e:#}"));
                self.search_done(SearchOutcome {
                    generation: req.generation,
                    query: req.query,
                    hits,
                    elapsed: started.elapsed(),
                });
            }
        }
    }

    /// Shows a search answer unless a newer query has been sent since.
    pub(crate) fn search_done(&mut self, out: SearchOutcome) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let s = &mut enc.search;
        if out.generation != s.requested {
            tracing::debug!(query = %out.query, "dropping a stale code search answer");
            return;
        }
        s.shown = out.generation;
        let assign_now = std::mem::take(&mut s.assign_on_arrival);
        s.elapsed_ms = out.elapsed.as_millis() as u64;
        s.pos = Default::default();
        s.results_query = out.query;
        match out.hits {
            Ok(hits) => {
                s.results = hits;
                s.error = None;
            }
            Err(msg) => {
                s.results.clear();
                s.error = Some(msg);
            }
        }
        let top = s.results.first().map(|h| (h.system, h.code.clone()));
        self.refresh_detail();
        if assign_now {
            match top {
                Some((system, code)) => self.assign(system, &code),
                None => self.state.set_status(
                    StatusKind::Info,
                    "nothing to assign: no codes match the search",
                ),
            }
        }
    }
}
