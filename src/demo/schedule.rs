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

    /// A time on `day` in `hours`, but at least `gap` hours after the previous note if that was
    /// written the same day (capped at 23:xx).
    fn after(
        &mut self,
        prev: Option<(NaiveDate, u32)>,
        day: NaiveDate,
        hours: std::ops::RangeInclusive<u32>,
        gap: u32,
    ) -> (u32, u32) {
        match prev {
            Some((d, h)) if d == day => {
                let lo = (h + gap).min(23);
                (
                    self.rng.random_range(lo..=(lo + 2).min(23)),
                    self.rng.random_range(0..60),
                )
            }
            _ => self.time(hours),
        }
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
                // Later notes of the same day come after earlier ones: H&P, consult, procedure.
                let mut last_on: Option<(NaiveDate, u32)> = Some((admit, h));
                if sc.has(NoteKind::Consultation) && self.rng.random_bool(0.7) {
                    let offset = self.rng.random_range(sc.consult_day.0..=sc.consult_day.1);
                    let day = (admit + Days::new(u64::from(offset))).min(discharge);
                    let (ch, cm) = self.after(last_on, day, 8..=17, 1);
                    out.push(Slot::new(NoteKind::Consultation, day, ch, cm));
                    last_on = Some((day, ch));
                }
                for kind in [NoteKind::Operative, NoteKind::Procedure] {
                    if sc.has(kind) {
                        let (ph, pm) = self.after(last_on, proc_date, 7..=14, 2);
                        out.push(Slot::new(kind, proc_date, ph, pm));
                        last_on = Some((proc_date, ph));
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
                // One progress note per written stage at most (1-3); the first stage is written on
                // the first eligible day and the last stage on the day before discharge, so
                // "discharge tomorrow" lands where it should.
                let stages = sc.stages.len().max(1);
                let k = self
                    .rng
                    .random_range(1..=3usize)
                    .min(days.len())
                    .min(stages);
                let mut chosen = vec![days[0]];
                if k >= 2 {
                    let mut middle: Vec<NaiveDate> = days[1..days.len() - 1].to_vec();
                    while middle.len() > k - 2 {
                        let drop = self.rng.random_range(0..middle.len());
                        middle.remove(drop);
                    }
                    chosen.extend(middle);
                    chosen.push(days[days.len() - 1]);
                }
                for (i, d) in chosen.iter().enumerate() {
                    let (ph, pm) = self.time(6..=9);
                    let mut s = Slot::new(NoteKind::Progress, *d, ph, pm);
                    s.stage = Some(if k == 1 {
                        0
                    } else {
                        i * (stages - 1) / (k - 1)
                    });
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
