//! The benchmark's notes: the demo generator's notes written as JSON lines import files, optionally
//! with bodies re-drawn from the sentences of a real corpus (a CSV with a `transcription` column).
use crate::demo;
use anyhow::{Context, Result, bail};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Notes per import file (each file is one import transaction).
pub const NOTES_PER_FILE: usize = 100_000;

/// The fixed "today" the generator dates notes from, so runs on different days compare.
pub fn bench_today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default()
}

/// Sentences of a corpus, for re-drawing note bodies.
pub struct Sentences {
    list: Vec<String>,
    state: u64,
}

impl Sentences {
    /// Reads the `transcription` column of a CSV (such as mtsamples.csv) and cuts it into sentences.
    pub fn read(path: &Path) -> Result<Sentences> {
        let mut r = csv::Reader::from_path(path)
            .with_context(|| format!("opening the corpus {}", path.display()))?;
        let col = r
            .headers()
            .with_context(|| format!("reading the header of {}", path.display()))?
            .iter()
            .position(|h| h.eq_ignore_ascii_case("transcription") || h.eq_ignore_ascii_case("text"))
            .with_context(|| {
                format!("{}: no 'transcription' (or 'text') column", path.display())
            })?;
        let mut list = Vec::new();
        for (i, rec) in r.records().enumerate() {
            let rec = rec.with_context(|| format!("{} record {}", path.display(), i + 1))?;
            let Some(text) = rec.get(col) else { continue };
            for s in text.split_inclusive(". ") {
                let s = s.split_whitespace().collect::<Vec<_>>().join(" ");
                let s = s.trim_matches(|c: char| c == ',' || c == ' ');
                if (20..=400).contains(&s.len()) {
                    list.push(s.to_string());
                }
            }
        }
        if list.is_empty() {
            bail!("{}: no sentences found in the corpus", path.display());
        }
        Ok(Sentences {
            list,
            state: 0x5EED_0FC0_4B05,
        })
    }

    fn next_index(&mut self) -> usize {
        // splitmix64: deterministic and portable.
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % self.list.len() as u64) as usize
    }

    /// A body of about `len` bytes of corpus sentences.
    pub fn body(&mut self, len: usize) -> String {
        let mut out = String::with_capacity(len + 200);
        while out.len() < len.max(80) {
            let i = self.next_index();
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(&self.list[i]);
        }
        out
    }
}

/// Files written and what they hold.
pub struct Written {
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    pub text_bytes: u64,
}

/// The encounter type a bench encounter gets from its first note.
fn enc_type_for(note_type: &str) -> &'static str {
    match note_type {
        "ED Note" => "emergency",
        "Office Visit" => "outpatient",
        "Procedure Note" => "outpatient",
        _ => "inpatient",
    }
}

/// Writes `n` notes as JSON lines files in `dir` (patient and encounter fields on the first note of
/// each encounter). Deterministic for a given `n`, `seed` and corpus.
pub fn write_files(
    dir: &Path,
    n: usize,
    seed: u64,
    mut corpus: Option<&mut Sentences>,
    progress: &mut dyn FnMut(&str, usize, usize),
) -> Result<Written> {
    let mut out = Written {
        files: vec![],
        bytes: 0,
        text_bytes: 0,
    };
    let mut writer: Option<BufWriter<std::fs::File>> = None;
    let mut last_account = String::new();
    // The current encounter's fields, from its first note, repeated when a new file starts.
    let mut enc_fields: (&'static str, String) = ("inpatient", String::new());
    let mut count = 0usize;
    let mut failure: Option<anyhow::Error> = None;
    demo::generate_notes(n, seed, bench_today(), |note| {
        if failure.is_some() {
            return;
        }
        let r = (|| -> Result<()> {
            if count.is_multiple_of(NOTES_PER_FILE) {
                if let Some(mut w) = writer.take() {
                    w.flush()?;
                }
                let path = dir.join(format!("bench-{:03}.jsonl", count / NOTES_PER_FILE));
                writer = Some(BufWriter::with_capacity(
                    1 << 20,
                    std::fs::File::create(&path)
                        .with_context(|| format!("creating {}", path.display()))?,
                ));
                out.files.push(path);
                // A new file starts its encounters afresh: the first note carries them again.
                last_account.clear();
            }
            let body = match corpus.as_deref_mut() {
                Some(c) => c.body(note.body.len()),
                None => note.body,
            };
            out.text_bytes += body.len() as u64;
            let mut obj = serde_json::json!({
                "note_id": note.note_id, "account": note.account, "mrn": format!("B{}", note.account),
                "note_type": note.note_type, "author": note.author, "written_at": note.written_at,
                "text": body,
            });
            if note.account != last_account {
                if !enc_fields.1.starts_with(&format!("{}|", note.account)) {
                    let day = note.written_at.get(..10).unwrap_or("2026-01-01");
                    enc_fields = (
                        enc_type_for(&note.note_type),
                        format!("{}|{day}", note.account),
                    );
                }
                let admit = enc_fields
                    .1
                    .rsplit('|')
                    .next()
                    .unwrap_or("2026-01-01")
                    .to_string();
                if let Some(o) = obj.as_object_mut() {
                    o.insert(
                        "name".into(),
                        format!("Bench, Patient {}", note.account).into(),
                    );
                    o.insert("birth_date".into(), "1950-01-01".into());
                    o.insert("sex".into(), "U".into());
                    o.insert("encounter_type".into(), enc_fields.0.into());
                    o.insert("admit".into(), admit.into());
                }
                last_account = note.account.clone();
            }
            if let Some(w) = writer.as_mut() {
                let line = obj.to_string();
                out.bytes += line.len() as u64 + 1;
                w.write_all(line.as_bytes())?;
                w.write_all(b"\n")?;
            }
            count += 1;
            if count.is_multiple_of(5_000) {
                progress("generating notes", count, n);
            }
            Ok(())
        })();
        if let Err(e) = r {
            failure = Some(e);
        }
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if let Some(mut w) = writer.take() {
        w.flush()?;
    }
    progress("generating notes", n, n);
    Ok(out)
}
