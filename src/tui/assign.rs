//! Changing an encounter's codes: assign (with the valid-codes picker for header codes), sequence,
//! POA, remove, and the encounter's status (coded, reopened, released).
use crate::domain::{CodeSystem, Poa};
use crate::service::ServiceError;
use crate::tui::app::{Action, App};
use crate::tui::state::{Confirm, Picker, Screen, StatusKind};

impl App {
    /// The encounter is read-only: say why and refuse.
    pub(crate) fn refuse_if_read_only(&mut self) -> bool {
        let why = self
            .state
            .encounter
            .as_ref()
            .and_then(|e| e.view.read_only.clone());
        match why {
            Some(why) => {
                self.state
                    .set_status(StatusKind::Warning, format!("read-only: {why}"));
                true
            }
            None => false,
        }
    }

    pub(crate) fn assign(&mut self, system: CodeSystem, code: &str) {
        if self.refuse_if_read_only() {
            return;
        }
        let Some(id) = self.state.encounter.as_ref().map(|e| e.view.encounter.id) else {
            return;
        };
        match self.service.assign(id, system, code) {
            Ok(a) => {
                let what = if !a.system.is_diagnosis() {
                    format!("procedure {}", a.seq)
                } else if a.principal {
                    "principal diagnosis".to_string()
                } else {
                    format!("diagnosis {}", a.seq)
                };
                self.state.set_status(
                    StatusKind::Success,
                    format!("assigned {} {} as {what}", a.code, a.title),
                );
                if let Some(enc) = self.state.encounter.as_mut() {
                    enc.picker = None;
                    enc.search.input.replace_on_type = true;
                }
                self.reload_view();
                self.select_code(Some(a.id));
                // A new error is said at once (the counts line under the codes shows it too).
                if let Some(ed) = self.state.encounter.as_ref().map(|e| &e.edits)
                    && ed.counts().errors > 0
                {
                    let msg = format!(
                        "assigned {} as {what} · {} (e lists them)",
                        a.code,
                        ed.summary()
                    );
                    self.state.set_status(StatusKind::Warning, msg);
                }
            }
            Err(e) => match e.downcast_ref::<ServiceError>() {
                Some(ServiceError::NotBillable {
                    code,
                    reason,
                    valid,
                }) if !valid.is_empty() => {
                    let n = valid.len();
                    let picker = Picker::new(system, code.clone(), reason.clone(), valid.clone());
                    if let Some(enc) = self.state.encounter.as_mut() {
                        enc.picker = Some(picker);
                    }
                    self.state.set_status(
                        StatusKind::Warning,
                        format!("{reason}: pick one of {n} valid codes"),
                    );
                }
                Some(ServiceError::ClaimedBy { .. } | ServiceError::ClaimReleased { .. }) => {
                    self.error(&e);
                    self.reload_view();
                }
                _ => self.error(&e),
            },
        }
    }

    /// Runs a change to the highlighted code, then re-reads the encounter.
    pub(crate) fn change_code(
        &mut self,
        op: impl FnOnce(&mut crate::service::Service, i64, i64) -> anyhow::Result<()>,
        done: impl FnOnce(&str) -> String,
    ) -> bool {
        if self.refuse_if_read_only() {
            return false;
        }
        let Some((enc_id, a)) = self
            .state
            .encounter
            .as_ref()
            .and_then(|e| Some((e.view.encounter.id, e.selected_code()?.clone())))
        else {
            self.state.set_status(
                StatusKind::Info,
                "no code here: search with / and press Enter to assign one",
            );
            return false;
        };
        let ok = match op(&mut self.service, enc_id, a.id) {
            Ok(()) => {
                self.state.set_status(StatusKind::Success, done(&a.code));
                true
            }
            Err(e) => {
                self.code_change_error(&e);
                false
            }
        };
        self.reload_view();
        self.select_code(Some(a.id));
        ok
    }

    pub(crate) fn set_poa(&mut self, poa: Option<Poa>) {
        let label = poa.map(|p| p.as_str()).unwrap_or("blank");
        let ok = self.change_code(
            |s, e, id| s.set_poa(e, id, poa),
            |c| format!("POA of {c} set to {label}"),
        );
        // Move on to the next diagnosis so a run of POA keys walks down the list.
        if ok {
            let rows = self.areas().codes_rows();
            if let Some(enc) = self.state.encounter.as_mut() {
                let next = enc.codes_pos.selected + 1;
                if enc
                    .view
                    .assignments
                    .get(next)
                    .is_some_and(|a| a.system.is_diagnosis())
                {
                    enc.codes_pos.selected = next;
                    enc.codes_pos.ensure_visible(rows);
                }
            }
            self.refresh_detail();
        }
    }

    /// `R` on the worklist: the command line, prefilled with the highlighted encounter.
    pub(crate) fn start_reassign(&mut self) {
        if self.state.screen != Screen::Worklist {
            return;
        }
        let Some(account) = self
            .state
            .worklist
            .selected_row()
            .map(|r| r.account.clone())
        else {
            self.state
                .set_status(StatusKind::Info, "no encounter highlighted to reassign");
            return;
        };
        self.state.command = Some(crate::tui::state::TextInput {
            text: format!("reassign {account} "),
            replace_on_type: false,
        });
    }

    /// `:reassign ACCOUNT LOGIN`: the service checks the role and audits; the worklist follows.
    pub(crate) fn reassign(&mut self, account: &str, login: &str) {
        let result = self
            .service
            .encounter_id(account)
            .and_then(|id| self.service.reassign_to(id, Some(login)));
        match result {
            Ok(()) => {
                self.reload_worklist();
                self.refilter(Some(account));
                self.state.set_status(
                    StatusKind::Success,
                    format!("{account} is now held by {login}"),
                );
            }
            Err(e) => self.error(&e),
        }
    }

    pub(crate) fn encounter_status_change(&mut self, action: Action) {
        let Some((id, account)) = self
            .state
            .encounter
            .as_ref()
            .map(|e| (e.view.encounter.id, e.view.encounter.account.clone()))
        else {
            return;
        };
        let result = match action {
            Action::MarkCoded => {
                if self.refuse_if_read_only() {
                    return;
                }
                self.service
                    .mark_coded(id)
                    .map(|()| format!("{account} marked coded: Esc for the worklist"))
            }
            Action::Reopen => self
                .service
                .reopen(id)
                .map(|()| format!("{account} reopened for changes")),
            Action::Release => self
                .service
                .release(id)
                .map(|()| format!("{account} released: it is back on the worklist for anyone")),
            _ => return,
        };
        match result {
            Ok(msg) => {
                if matches!(action, Action::Release) {
                    self.state.encounter = None;
                    self.state.screen = Screen::Worklist;
                    self.reload_worklist();
                    self.refilter(Some(&account));
                } else {
                    self.reload_view();
                }
                self.state.set_status(StatusKind::Success, msg);
            }
            Err(e) => {
                self.error(&e);
                self.reload_view();
                if matches!(action, Action::MarkCoded) {
                    self.show_blocking_edits();
                }
            }
        }
    }

    pub(crate) fn ask_remove(&mut self) {
        if self.refuse_if_read_only() {
            return;
        }
        if let Some(enc) = self.state.encounter.as_mut() {
            match enc.selected_code().map(|a| (a.id, a.code.clone())) {
                Some((id, code)) => enc.confirm = Some(Confirm::Remove { id, code }),
                None => self.state.set_status(StatusKind::Info, "no code to remove"),
            }
        }
    }

    pub(crate) fn confirm_remove(&mut self, yes: bool) {
        let Some(enc) = self.state.encounter.as_mut() else {
            return;
        };
        let Some(Confirm::Remove { id, code }) = enc.confirm.take() else {
            return;
        };
        if !yes {
            self.state
                .set_status(StatusKind::Info, format!("kept {code}"));
            return;
        }
        let enc_id = enc.view.encounter.id;
        match self.service.remove_assignment(enc_id, id) {
            Ok(()) => self
                .state
                .set_status(StatusKind::Success, format!("removed {code}")),
            Err(e) => self.code_change_error(&e),
        }
        self.reload_view();
    }

    /// A refused change to a code. The usual cause of "not on this encounter" is a window that
    /// still lists a code someone else removed: said in words (no internal ids); the caller
    /// re-reads the encounter.
    fn code_change_error(&mut self, e: &anyhow::Error) {
        match e.downcast_ref::<ServiceError>() {
            Some(ServiceError::NotFound(msg)) if msg.ends_with("is not on this encounter") => {
                tracing::info!("{msg}: refreshing the encounter");
                self.state.set_status(
                    StatusKind::Warning,
                    "that code was removed from this encounter by someone else; the list is \
                     refreshed",
                );
            }
            _ => self.error(e),
        }
    }
}
