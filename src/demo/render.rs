//! Renders compiled templates with one encounter's values: numbers drawn once per encounter (or per
//! note), choices fixed per encounter so every note of a stay tells the same story.
use super::library::{NumDef, Scenario};
use super::template::{Builtin, Seg, TplId};
use chrono::{Datelike, NaiveDate};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

/// Who and when: the facts about the patient and the stay that templates can print.
#[derive(Debug, Clone)]
pub(crate) struct EncCtx {
    /// "Last, First M."
    pub patient: String,
    pub first: String,
    pub last: String,
    pub female: bool,
    pub age: u32,
    pub dob: NaiveDate,
    pub mrn: String,
    pub account: String,
    pub admit: NaiveDate,
    pub discharge: NaiveDate,
    pub procedure: NaiveDate,
    pub attending: String,
    pub consultant: String,
    pub surgeon: String,
    pub pcp: String,
    pub level_of_care: &'static str,
}

/// The note being written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NoteCx<'a> {
    pub date: NaiveDate,
    pub hour: u32,
    pub minute: u32,
    /// Index of the progress-note stage, for progress notes.
    pub stage: Option<usize>,
    pub author: &'a str,
}

/// Values drawn once per encounter.
#[derive(Debug, Clone)]
pub(crate) struct Values {
    pub variant: usize,
    /// Scaled integer per number definition (per-note numbers are drawn again when printed).
    nums: Vec<i64>,
    picks: Vec<u32>,
}

impl Values {
    pub fn draw(sc: &Scenario, variant: usize, rng: &mut ChaCha8Rng) -> Values {
        Values {
            variant,
            nums: sc.nums.iter().map(|d| draw_num(d, rng)).collect(),
            picks: sc
                .picks
                .iter()
                .map(|p| rng.random_range(0..p.len() as u32))
                .collect(),
        }
    }
}

fn draw_num(d: &NumDef, rng: &mut ChaCha8Rng) -> i64 {
    d.lo + rng.random_range(0..=d.steps) * d.step
}

/// Everything needed to render templates of one scenario for one encounter.
pub(crate) struct Renderer<'a> {
    pub sc: &'a Scenario,
    pub enc: &'a EncCtx,
    pub vals: &'a Values,
    pub hospital: &'a str,
}

impl Renderer<'_> {
    /// Append template `tpl` to `out`.
    pub fn render(&self, tpl: TplId, note: &NoteCx<'_>, rng: &mut ChaCha8Rng, out: &mut String) {
        let Some(segs) = self.sc.templates.get(tpl as usize) else {
            return;
        };
        for seg in segs {
            match seg {
                Seg::Lit(s) => out.push_str(s),
                Seg::Builtin(b) => self.builtin(*b, note, out),
                Seg::Num(i) => {
                    let i = usize::from(*i);
                    if let Some(d) = self.sc.nums.get(i) {
                        let v = if d.per_note {
                            draw_num(d, rng)
                        } else {
                            self.vals.nums.get(i).copied().unwrap_or(d.lo)
                        };
                        write_num(out, v, d.decimals, d.thousands);
                    }
                }
                Seg::Pick(i) => {
                    let i = usize::from(*i);
                    let choice = self.vals.picks.get(i).copied().unwrap_or(0) as usize;
                    if let Some(t) = self.sc.picks.get(i).and_then(|p| p.get(choice)) {
                        self.render(*t, note, rng, out);
                    }
                }
                Seg::Text(t) => self.render(*t, note, rng, out),
                Seg::Variant(i) => {
                    let t = self
                        .sc
                        .variants
                        .get(self.vals.variant)
                        .and_then(|v| v.set.get(usize::from(*i)));
                    if let Some(t) = t {
                        self.render(*t, note, rng, out);
                    }
                }
                Seg::Stage(f) => {
                    let t = note
                        .stage
                        .and_then(|s| self.sc.stages.get(s))
                        .map(|st| st[*f as usize]);
                    if let Some(t) = t {
                        self.render(t, note, rng, out);
                    }
                }
            }
        }
    }

    fn builtin(&self, b: Builtin, note: &NoteCx<'_>, out: &mut String) {
        let e = self.enc;
        let f = e.female;
        match b {
            Builtin::Patient => out.push_str(&e.patient),
            Builtin::First => out.push_str(&e.first),
            Builtin::Last => out.push_str(&e.last),
            Builtin::Title => out.push_str(if f { "Ms." } else { "Mr." }),
            Builtin::Age => push_u32(out, e.age),
            Builtin::AAge => {
                // "an 88-year-old", "an 18-year-old", "a 72-year-old"
                let an = matches!(e.age, 8 | 11 | 18 | 80..=89);
                out.push_str(if an { "an " } else { "a " });
                push_u32(out, e.age);
            }
            Builtin::Sex => out.push_str(if f { "female" } else { "male" }),
            Builtin::Man => out.push_str(if f { "woman" } else { "man" }),
            Builtin::He => out.push_str(if f { "she" } else { "he" }),
            Builtin::HeCap => out.push_str(if f { "She" } else { "He" }),
            Builtin::His => out.push_str(if f { "her" } else { "his" }),
            Builtin::HisCap => out.push_str(if f { "Her" } else { "His" }),
            Builtin::Him => out.push_str(if f { "her" } else { "him" }),
            Builtin::Dob => push_date(out, e.dob),
            Builtin::Mrn => out.push_str(&e.mrn),
            Builtin::Account => out.push_str(&e.account),
            Builtin::AdmitDate => push_date(out, e.admit),
            Builtin::DischargeDate => push_date(out, e.discharge),
            Builtin::Los => push_u32(out, days(e.admit, e.discharge)),
            Builtin::Attending => out.push_str(&e.attending),
            Builtin::Consultant => out.push_str(&e.consultant),
            Builtin::Surgeon => out.push_str(&e.surgeon),
            Builtin::Pcp => out.push_str(&e.pcp),
            Builtin::Author => out.push_str(note.author),
            Builtin::ProcedureDate => push_date(out, e.procedure),
            Builtin::NoteDate => push_date(out, note.date),
            Builtin::NoteTime => {
                let _ = write!(out, "{:02}:{:02}", note.hour, note.minute);
            }
            Builtin::HospitalDay => push_u32(out, days(e.admit, note.date) + 1),
            Builtin::LevelOfCare => out.push_str(e.level_of_care),
            Builtin::Hospital => out.push_str(self.hospital),
        }
    }
}

fn days(from: NaiveDate, to: NaiveDate) -> u32 {
    u32::try_from((to - from).num_days()).unwrap_or(0)
}

fn push_u32(out: &mut String, v: u32) {
    let _ = write!(out, "{v}");
}

/// Dates in notes read the way US clinicians write them: MM/DD/YYYY.
pub(crate) fn push_date(out: &mut String, d: NaiveDate) {
    let _ = write!(out, "{:02}/{:02}/{}", d.month(), d.day(), d.year());
}

/// Print a scaled integer with `decimals` places and optional thousands separators.
pub(crate) fn write_num(out: &mut String, v: i64, decimals: u8, thousands: bool) {
    if v < 0 {
        out.push('-');
    }
    let mag = v.unsigned_abs();
    let scale = 10u64.pow(u32::from(decimals));
    let int = mag / scale;
    let frac = mag % scale;
    if thousands && int >= 1000 {
        let digits = int.to_string();
        let first = digits.len() % 3;
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (i + 3 - first).is_multiple_of(3) {
                out.push(',');
            }
            out.push(ch);
        }
    } else {
        let _ = write!(out, "{int}");
    }
    if decimals > 0 {
        let _ = write!(out, ".{:0width$}", frac, width = usize::from(decimals));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: i64, d: u8, t: bool) -> String {
        let mut s = String::new();
        write_num(&mut s, v, d, t);
        s
    }

    #[test]
    fn numbers_print_like_lab_values() {
        assert_eq!(num(1240, 0, true), "1,240");
        assert_eq!(num(1_234_567, 0, true), "1,234,567");
        assert_eq!(num(999, 0, true), "999");
        assert_eq!(num(31, 1, false), "3.1");
        assert_eq!(num(45, 2, false), "0.45");
        assert_eq!(num(7, 2, false), "0.07");
        assert_eq!(num(-5, 1, false), "-0.5");
        assert_eq!(num(120000, 1, true), "12,000.0");
    }

    #[test]
    fn dates_are_us_style() {
        let mut s = String::new();
        push_date(&mut s, NaiveDate::from_ymd_opt(2026, 3, 7).unwrap());
        assert_eq!(s, "03/07/2026");
    }
}
