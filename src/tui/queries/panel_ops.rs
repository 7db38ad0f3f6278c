//! The query panel's handlers: open it, move, edit a draft's fields (saved at once), apply a
//! template, and the lifecycle (send, answer, close, cancel).
use crate::domain::query::{self, Outcome, QueryEvent, QueryStatus, QueryType, YesNoPurpose};
use crate::tui::app::App;
use crate::tui::queries::panel::{Field, PanelState, Prompt, cycle};
use crate::tui::queries::{QAction, calls};
use crate::tui::state::{StatusKind, TextInput};

impl App {
    fn panel(&mut self) -> Option<&mut PanelState> {
        self.state.encounter.as_mut()?.cdi.panel.as_mut()
    }

    /// Opens the panel on the encounter's draft (or its newest unfinished query); `new` starts a
    /// new draft first.
    pub(crate) fn open_panel(&mut self, new: bool) {
        let Some(enc) = self.state.encounter.as_ref() else {
            return;
        };
        let enc_id = enc.view.encounter.id;
        if new && let Err(e) = calls::create_draft(&mut self.service, enc_id) {
            self.error(&e);
            return;
        }
        let templates = match calls::templates(&mut self.service) {
            Ok(t) => t,
            Err(e) => {
                tracing::warn!("query templates: {e:#}");
                Vec::new()
            }
        };
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.cdi.selection = None;
            enc.cdi.panel = Some(PanelState {
                templates,
                ..PanelState::default()
            });
        }
        self.reload_panel(None);
        let shown = self
            .panel()
            .and_then(|p| p.card.as_ref().map(|c| (c.row.id, c.row.status)));
        let msg = match shown {
            Some((id, QueryStatus::Draft)) => format!(
                "draft query #{id}: Enter edits a row, ←→ change choices, S sends, Esc closes"
            ),
            Some((id, s)) => format!("query #{id} is {}: A answer, C close, X cancel", s.label()),
            None => "no queries yet: N starts one".to_string(),
        };
        self.state.set_status(StatusKind::Info, msg);
    }

    /// Reloads the encounter's queries and shows `show` (else the draft pins go to, else the
    /// newest unfinished query, else the newest).
    pub(crate) fn reload_panel(&mut self, show: Option<i64>) {
        let Some(enc) = self.state.encounter.as_ref() else {
            return;
        };
        let enc_id = enc.view.encounter.id;
        let draft = enc.cdi.draft;
        let current = enc
            .cdi
            .panel
            .as_ref()
            .and_then(|p| p.card.as_ref())
            .map(|c| c.row.id);
        let list = match calls::encounter_queries(&mut self.service, enc_id) {
            Ok(l) => l,
            Err(e) => {
                self.error(&e);
                return;
            }
        };
        let pick = show
            .or(current)
            .filter(|id| list.iter().any(|q| q.id == *id))
            .or(draft.filter(|id| list.iter().any(|q| q.id == *id)))
            .or_else(|| list.iter().find(|q| !q.status.is_final()).map(|q| q.id))
            .or_else(|| list.first().map(|q| q.id));
        let card = match pick.map(|id| calls::card(&mut self.service, id)) {
            Some(Ok(c)) => Some(c),
            Some(Err(e)) => {
                self.error(&e);
                None
            }
            None => None,
        };
        if let Some(p) = self.panel() {
            if card.as_ref().map(|c| c.row.id) != current {
                p.row = 0;
                p.scroll = 0;
                p.template = None;
            }
            p.queries = list;
            p.card = card;
            p.clamp();
        }
    }

    pub(crate) fn panel_action(&mut self, q: QAction) {
        let Some(p) = self.panel() else {
            return;
        };
        if p.prompt.is_some() {
            self.prompt_action(q);
            return;
        }
        match q {
            QAction::Back | QAction::TogglePanel => {
                if let Some(enc) = self.state.encounter.as_mut() {
                    enc.cdi.panel = None;
                }
            }
            QAction::Move(d) => p.move_by(d),
            QAction::Page(d) => p.move_by(d * 5),
            QAction::Top => p.move_by(isize::MIN / 2),
            QAction::Bottom => p.move_by(isize::MAX / 2),
            QAction::Accept => self.panel_accept(),
            QAction::Cycle(d) => self.panel_cycle(d),
            QAction::Remove => self.panel_remove(),
            QAction::Send => self.lifecycle(QueryEvent::Send),
            QAction::Close => self.lifecycle(QueryEvent::Close),
            QAction::Answer => {
                if self.allowed(QueryEvent::Answer)
                    && let Some(p) = self.panel()
                {
                    p.prompt = Some(Prompt::Answer {
                        outcome: Outcome::Agreed,
                        input: TextInput::default(),
                    });
                }
            }
            QAction::Cancel => {
                if self.allowed(QueryEvent::Cancel)
                    && let Some(p) = self.panel()
                {
                    p.prompt = Some(Prompt::Cancel {
                        input: TextInput::default(),
                    });
                }
            }
            QAction::New => {
                let Some(enc_id) = self.state.encounter.as_ref().map(|e| e.view.encounter.id)
                else {
                    return;
                };
                match calls::create_draft(&mut self.service, enc_id) {
                    Ok(id) => {
                        if let Some(enc) = self.state.encounter.as_mut() {
                            enc.cdi.draft = Some(id);
                        }
                        self.reload_panel(Some(id));
                        self.state
                            .set_status(StatusKind::Info, format!("new draft query #{id}"));
                    }
                    Err(e) => self.error(&e),
                }
            }
            QAction::OtherQuery(d) => {
                let (n, cur) = (p.queries.len(), p.shown().unwrap_or(0));
                if n > 1 {
                    let next = (cur as isize + d).rem_euclid(n as isize) as usize;
                    let id = p.queries.get(next).map(|q| q.id);
                    self.reload_panel(id);
                } else {
                    self.state
                        .set_status(StatusKind::Info, "this encounter has one query");
                }
            }
            _ => {}
        }
    }

    /// True if the shown query may take `ev`; otherwise says why in the status line.
    fn allowed(&mut self, ev: QueryEvent) -> bool {
        let Some(status) = self
            .panel()
            .and_then(|p| p.card.as_ref())
            .map(|c| c.row.status)
        else {
            self.state
                .set_status(StatusKind::Info, "no query shown: N starts one");
            return false;
        };
        match query::transition(status, ev) {
            Ok(_) => true,
            Err(msg) => {
                self.state.set_status(StatusKind::Warning, msg);
                false
            }
        }
    }

    fn panel_accept(&mut self) {
        let Some(p) = self.panel() else {
            return;
        };
        let Some(f) = p.field() else {
            return;
        };
        let draft = p.is_draft();
        if f.is_choice() {
            self.panel_cycle(1);
            return;
        }
        if let Field::Indicator(i) = f {
            self.show_indicator(i);
            return;
        }
        if !draft {
            self.state.set_status(
                StatusKind::Info,
                "a sent query cannot be changed: N starts a new one",
            );
            return;
        }
        let Some(c) = p.card.as_ref() else {
            return;
        };
        let text = match f {
            Field::Provider => c.row.provider.clone(),
            Field::Question => c.question.clone(),
            Field::Option(i) => c.options.get(i).cloned().unwrap_or_default(),
            _ => String::new(),
        };
        p.prompt = Some(Prompt::Edit {
            field: f,
            input: TextInput {
                text,
                replace_on_type: false,
            },
        });
    }

    /// Closes the panel and shows the indicator's note, scrolled to the quote.
    fn show_indicator(&mut self, i: usize) {
        let Some(enc) = self.state.encounter.as_ref() else {
            return;
        };
        let Some(ind) = enc
            .cdi
            .panel
            .as_ref()
            .and_then(|p| p.card.as_ref())
            .and_then(|c| c.indicators.get(i))
            .cloned()
        else {
            return;
        };
        let Some(n) = enc.view.notes.iter().position(|h| h.id == ind.note_row_id) else {
            self.state.set_status(
                StatusKind::Warning,
                format!("note {} is no longer on this encounter", ind.note_id),
            );
            return;
        };
        if let Some(enc) = self.state.encounter.as_mut() {
            enc.cdi.panel = None;
        }
        self.load_note(n);
        self.focus(crate::tui::state::Pane::Viewer);
        let width = self.areas().viewer_text().width as usize;
        let (lines, h) = self.note_extent();
        if let Some(enc) = self.state.encounter.as_mut()
            && let Some(note) = &enc.note
        {
            let body = note.body.clone();
            let byte = body
                .char_indices()
                .nth(ind.start.max(0) as usize)
                .map(|(b, _)| b)
                .unwrap_or(0);
            let words = crate::tui::queries::select::words(&body, width);
            if let Some(w) =
                crate::tui::queries::select::word_at(&words, byte).and_then(|k| words.get(k))
            {
                enc.scroll = w.line.saturating_sub(1).min(lines.saturating_sub(h));
                let end = body
                    .char_indices()
                    .nth(ind.end.max(1) as usize - 1)
                    .map(|(b, _)| b)
                    .unwrap_or(byte);
                enc.cdi.selection = Some(crate::tui::queries::Selection {
                    note: note.header.id,
                    anchor: w.start,
                    cursor: crate::tui::queries::select::word_at(&words, end)
                        .and_then(|k| words.get(k))
                        .map(|w| w.start)
                        .unwrap_or(w.start),
                });
            }
        }
        self.state.set_status(
            StatusKind::Info,
            format!(
                "indicator from {} by {}: Esc drops the mark, Q back to the query",
                ind.note_type, ind.author
            ),
        );
    }

    fn panel_cycle(&mut self, d: isize) {
        let Some(p) = self.panel() else {
            return;
        };
        if !p.is_draft() {
            return;
        }
        let Some(mut c) = p.card.clone() else {
            return;
        };
        match p.field() {
            Some(Field::Template) => {
                let n = p.templates.len();
                if n == 0 {
                    self.state
                        .set_status(StatusKind::Info, "no query templates are installed");
                    return;
                }
                let next = match p.template {
                    None if d > 0 => 0,
                    None => n - 1,
                    Some(i) => (i as isize + d).rem_euclid(n as isize) as usize,
                };
                p.template = Some(next);
                let Some(t) = p.templates.get(next).cloned() else {
                    return;
                };
                c.row.query_type = t.query_type;
                c.purpose = t.purpose;
                c.question = t.question.clone();
                c.options = t.options.clone();
                c.template = Some(t.name.clone());
                self.save_card(&c, format!("template: {}", t.title));
            }
            Some(Field::Type) => {
                c.row.query_type = cycle(QueryType::ALL, c.row.query_type, d);
                if c.row.query_type == QueryType::YesNo && c.purpose.is_none() {
                    c.purpose = Some(YesNoPurpose::ConfirmDocumented);
                }
                c.options = query::complete_options(c.row.query_type, &own(&c.options));
                self.save_card(&c, format!("type: {}", c.row.query_type.label()));
            }
            Some(Field::Purpose) => {
                let cur = c.purpose.unwrap_or(YesNoPurpose::ConfirmDocumented);
                c.purpose = Some(if c.purpose.is_none() {
                    cur
                } else {
                    cycle(YesNoPurpose::ALL, cur, d)
                });
                let label = c.purpose.map(|p| p.label()).unwrap_or("");
                self.save_card(&c, format!("purpose: {label}"));
            }
            _ => {}
        }
    }

    fn panel_remove(&mut self) {
        let Some(p) = self.panel() else {
            return;
        };
        let Some(mut c) = p.card.clone().filter(|_| p.is_draft()) else {
            self.state
                .set_status(StatusKind::Info, "only a draft can be changed");
            return;
        };
        match p.field() {
            Some(Field::Option(i)) if i < c.options.len() => {
                let gone = c.options.remove(i);
                self.save_card(&c, format!("removed option '{gone}'"));
            }
            Some(Field::Indicator(i)) => {
                let Some(ind) = c.indicators.get(i) else {
                    return;
                };
                let id = ind.id;
                match calls::unpin(&mut self.service, c.row.id, id) {
                    Ok(()) => {
                        self.reload_panel(Some(c.row.id));
                        self.state
                            .set_status(StatusKind::Info, "indicator removed from the draft");
                    }
                    Err(e) => self.error(&e),
                }
            }
            _ => self.state.set_status(
                StatusKind::Info,
                "x removes the highlighted option or indicator",
            ),
        }
    }

    /// Saves a changed draft and shows it with fresh compliance findings.
    fn save_card(&mut self, c: &crate::tui::queries::QueryCard, what: String) {
        match calls::save_draft(&mut self.service, c) {
            Ok(()) => {
                self.reload_panel(Some(c.row.id));
                let (e, w) = self
                    .panel()
                    .and_then(|p| p.card.as_ref())
                    .map(|c| (c.errors(), c.warnings()))
                    .unwrap_or((0, 0));
                let kind = if e > 0 {
                    StatusKind::Warning
                } else {
                    StatusKind::Success
                };
                self.state.set_status(
                    kind,
                    format!("saved {what}: {e} compliance error(s), {w} warning(s)"),
                );
            }
            Err(e) => self.error(&e),
        }
    }

    fn prompt_action(&mut self, q: QAction) {
        let Some(p) = self.panel() else {
            return;
        };
        let Some(prompt) = p.prompt.as_mut() else {
            return;
        };
        match q {
            QAction::Input(ch) => prompt.input_mut().push(ch),
            QAction::Backspace => prompt.input_mut().backspace(),
            QAction::ClearInput => prompt.input_mut().clear(),
            QAction::NextOutcome => {
                if let Prompt::Answer { outcome, .. } = prompt {
                    *outcome = cycle(&Outcome::ANSWERS, *outcome, 1);
                }
            }
            QAction::Back => p.prompt = None,
            QAction::Accept => {
                let Some(prompt) = p.prompt.take() else {
                    return;
                };
                self.commit_prompt(prompt);
            }
            _ => {}
        }
    }

    fn commit_prompt(&mut self, prompt: Prompt) {
        let Some(mut c) = self.panel().and_then(|p| p.card.clone()) else {
            return;
        };
        let id = c.row.id;
        match prompt {
            Prompt::Edit { field, input } => {
                let t = input.text.trim().to_string();
                let what = match field {
                    Field::Provider => {
                        c.row.provider = t;
                        "provider"
                    }
                    Field::Question => {
                        c.question = t;
                        "question"
                    }
                    Field::Option(i) if i < c.options.len() => {
                        if t.is_empty() {
                            c.options.remove(i);
                        } else {
                            c.options[i] = t;
                        }
                        "option"
                    }
                    Field::AddOption if !t.is_empty() => {
                        let at = crate::tui::queries::panel::own_options(&c.options)
                            .last()
                            .map(|i| i + 1)
                            .unwrap_or(0);
                        c.options.insert(at, t);
                        "new option"
                    }
                    _ => return,
                };
                self.save_card(&c, what.to_string());
            }
            Prompt::Answer { outcome, input } => {
                let r = calls::answer(&mut self.service, id, outcome, input.text.trim());
                self.after_lifecycle(id, r, format!("answer recorded: {}", outcome.label()));
            }
            Prompt::Cancel { input } => {
                let r = calls::cancel(&mut self.service, id, input.text.trim());
                self.after_lifecycle(id, r, "query canceled".into());
            }
        }
    }

    fn lifecycle(&mut self, ev: QueryEvent) {
        if !self.allowed(ev) {
            return;
        }
        let Some(c) = self.panel().and_then(|p| p.card.clone()) else {
            return;
        };
        let id = c.row.id;
        let (r, msg) = match ev {
            QueryEvent::Send => {
                if c.errors() > 0 {
                    self.state.set_status(
                        StatusKind::Error,
                        format!(
                            "not sent: {} compliance error(s) to fix first (listed in the panel)",
                            c.errors()
                        ),
                    );
                    return;
                }
                (
                    calls::send(&mut self.service, id),
                    format!("sent to {}: the encounter is on hold", c.row.provider),
                )
            }
            QueryEvent::Close => (
                calls::close(&mut self.service, id),
                "query closed".to_string(),
            ),
            _ => return,
        };
        self.after_lifecycle(id, r, msg);
    }

    fn after_lifecycle(&mut self, id: i64, r: anyhow::Result<()>, msg: String) {
        match r {
            Ok(()) => {
                self.reload_view();
                self.reload_panel(Some(id));
                let status = self
                    .state
                    .encounter
                    .as_ref()
                    .map(|e| crate::tui::render::compose::status_text(&e.view.encounter))
                    .unwrap_or_default();
                self.state
                    .set_status(StatusKind::Success, format!("{msg} (encounter: {status})"));
            }
            Err(e) => self.error(&e),
        }
    }
}

/// The composer's own options (without the ones every query of its type offers).
fn own(options: &[String]) -> Vec<String> {
    crate::tui::queries::panel::own_options(options)
        .into_iter()
        .filter_map(|i| options.get(i).cloned())
        .collect()
}
