//! When each note of an encounter is written: which kinds, on which days, at what times, and which
//! progress-note stage each progress note tells.
use super::generate::{Generator, Plan};
use super::kinds::NoteKind;
use super::library::Scenario;
use crate::domain::EncounterType;
use chrono::{Days, NaiveDate};
use rand::RngExt;

impl Generator<'_> {
    fn time(&mut self, hours: std::ops::RangeInclusive<u32>) -> (u32, u32) {
        (self.rng.random_range(hours), self.rng.random_range(0..60))
    }

    /// Which notes the encounter gets, on which day and at what time, in writing order.
    pub(crate) fn note_slots(&mut self, sc: &Scenario, plan: &Plan) -> Vec<Slot> {
        let mut out = Vec::with_capacity(8);
        let (admit, discharge, proc_date) = (plan.admit, plan.discharge, plan.procedure);
        match plan.enc_type {
            EncounterType::Inpatient | EncounterType::Observation => {
                let early_procedure = sc.is_procedural() && proc_date == admit;
                let (h, m) = if early_procedure {
                    self.time(5..=10)
                } else {
                    self.time(9..=22)
                };
                out.push(Slot::new(NoteKind::HistoryAndPhysical, admit, h, m));
                if sc.has(NoteKind::Consultation) && self.rng.random_bool(0.7) {
                    let day = if discharge > admit && self.rng.random_bool(0.5) {
                        admit + Days::new(1)
                    } else {
                        admit
                    };
                    let (ch, cm) = if day == admit {
                        (
                            self.rng.random_range(h.max(8)..=h.max(8) + 1),
                            self.rng.random_range(0..60),
                        )
                    } else {
                        self.time(8..=17)
                    };
                    out.push(Slot::new(NoteKind::Consultation, day, ch, cm));
                }
                for kind in [NoteKind::Operative, NoteKind::Procedure] {
                    if sc.has(kind) {
                        let (ph, pm) = if proc_date == admit {
                            (
                                self.rng.random_range(h + 2..=h + 4),
                                self.rng.random_range(0..60),
                            )
                        } else {
                            self.time(7..=14)
                        };
                        out.push(Slot::new(kind, proc_date, ph, pm));
                    }
                }
                let start = if sc.is_procedural() {
                    (admit + Days::new(1)).max(proc_date + Days::new(1))
                } else {
                    admit + Days::new(1)
                };
                let mut days: Vec<NaiveDate> =
                    start.iter_days().take_while(|d| *d < discharge).collect();
                if days.is_empty() {
                    days.push(discharge);
                }
                let k = self.rng.random_range(1..=3usize).min(days.len());
                while days.len() > k {
                    let drop = self.rng.random_range(0..days.len());
                    days.remove(drop);
                }
                let stages = sc.stages.len().max(1);
                for (i, d) in days.iter().enumerate() {
                    let (ph, pm) = self.time(6..=9);
                    let mut s = Slot::new(NoteKind::Progress, *d, ph, pm);
                    s.stage = Some((i * stages / k).min(stages - 1));
                    out.push(s);
                }
                let late = self.rng.random_bool(0.1);
                let (dh, dm) = if late {
                    self.time(8..=11)
                } else {
                    self.time(10..=17)
                };
                let day = if late {
                    discharge + Days::new(1)
                } else {
                    discharge
                };
                out.push(Slot::new(NoteKind::Discharge, day, dh, dm));
            }
            EncounterType::Emergency => {
                let (h, m) = self.time(0..=23);
                out.push(Slot::new(NoteKind::Ed, admit, h, m));
            }
            EncounterType::Outpatient => {
                let (h, m) = self.time(6..=7);
                out.push(Slot::new(NoteKind::BriefHistoryAndPhysical, admit, h, m));
                for kind in [NoteKind::Procedure, NoteKind::Operative] {
                    if sc.has(kind) {
                        let (ph, pm) = self.time(8..=14);
                        out.push(Slot::new(kind, admit, ph, pm));
                    }
                }
            }
            EncounterType::Professional => {
                let (h, m) = self.time(8..=16);
                out.push(Slot::new(NoteKind::Office, admit, h, m));
            }
        }
        out.sort_by_key(|s| (s.date, s.hour, s.minute));
        out
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Slot {
    pub kind: NoteKind,
    pub date: NaiveDate,
    pub hour: u32,
    pub minute: u32,
    pub stage: Option<usize>,
}

impl Slot {
    fn new(kind: NoteKind, date: NaiveDate, hour: u32, minute: u32) -> Slot {
        Slot {
            kind,
            date,
            hour: hour.min(23),
            minute,
            stage: None,
        }
    }
}
