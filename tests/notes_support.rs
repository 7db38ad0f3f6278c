//! Helpers shared by the notes tests: generated clinical notes and a brute-force matcher.
//! (Included by the notes_* tests with `#[path]`; on its own it holds no tests.)
#![allow(dead_code)]
use chartdesk::domain::Note;
use chartdesk::store;
use std::path::Path;

/// A small deterministic generator (xorshift64*), so tests do not depend on rand's API.
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Phrases with the tokens clinical text is made of: abbreviations, signs, units, plurals, case.
pub const FRAGMENTS: &[&str] = &[
    "Patient admitted with fever and chills.",
    "Fevers resolved on day 3.",
    "Urine culture grew E. coli, sensitive to ceftriaxone.",
    "E.coli bacteremia was treated.",
    "Troponin elevated, consistent with NSTEMI.",
    "Non-ST elevation myocardial infarction (NSTEMI) ruled in.",
    "History of T2DM on metformin.",
    "Type 2 diabetes mellitus, poorly controlled.",
    "O2 sat 88% on room air, placed on 2L nasal cannula.",
    "Oxygen saturation 95% on 2 L.",
    "2+ pitting edema bilateral lower extremities.",
    "Trace edema, improved.",
    "Acute on chronic systolic heart failure, EF 25%.",
    "Congestive heart failure exacerbation.",
    "Chest pain, ruled out for ACS.",
    "Denies chest pain or shortness of breath.",
    "Follow-up with cardiology in 2 weeks.",
    "Pneumonia, right lower lobe; started on azithromycin.",
    "Community-acquired pneumonia improving.",
    "Sepsis due to urinary tract infection.",
    "Lactic acid 4.2, repeat 1.8.",
    "Acute kidney injury, creatinine 2.1 from baseline 1.0.",
    "COPD exacerbation; nebulizers every 4 hours.",
    "Hypertension, controlled on lisinopril.",
    "Hemoglobin A1c 9.1%.",
    "Plan: discharge home tomorrow.",
    "Wound healing well, no erythema.",
    "Café-au-lait spots noted.",
];

pub const TYPES: &[&str] = &[
    "History and Physical",
    "Progress Note",
    "Discharge Summary",
    "Consultation",
    "ED Note",
];

pub const AUTHORS: &[&str] = &["Dr. Ann Smith", "Dr. Raj Patel", "Dr. Li Wong", "Dr. Test"];

/// A note body of 3–12 fragments.
pub fn body(g: &mut Gen) -> String {
    let n = 3 + g.below(10);
    (0..n)
        .map(|_| g.pick(FRAGMENTS))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `n` generated notes spread over the fixture's encounters A100, A200, A300.
pub fn notes(n: usize, seed: u64) -> Vec<Note> {
    let mut g = Gen::new(seed);
    (0..n)
        .map(|i| {
            let day = 1 + g.below(28);
            Note {
                note_id: format!("G{seed}-{i:06}"),
                account: ["A100", "A200", "A300"][g.below(3)].into(),
                note_type: g.pick(TYPES).into(),
                author: g.pick(AUTHORS).into(),
                written_at: format!("2026-10-{day:02}T{:02}:30:00Z", g.below(24)),
                body: body(&mut g),
            }
        })
        .collect()
}

/// Inserts notes straight into the database (as set-up or another process would), not indexed.
pub fn insert_notes(db: &Path, notes: &[Note]) -> Vec<i64> {
    let mut conn = store::open(db).unwrap();
    let tx = conn.transaction().unwrap();
    let ids = notes
        .iter()
        .map(|n| store::notes::insert(&tx, n).unwrap())
        .collect();
    tx.commit().unwrap();
    ids
}

/// Lower-cased runs of letters and digits: an independent reading of a body.
pub fn words(body: &str) -> Vec<String> {
    body.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// True when every word of `query` appears in `body` (whole words, any case).
pub fn brute_all_words(body: &str, query: &[&str]) -> bool {
    let ws = words(body);
    query.iter().all(|q| ws.iter().any(|w| w == q))
}

/// True when the words of `phrase` appear consecutively in `body`.
pub fn brute_phrase(body: &str, phrase: &[&str]) -> bool {
    let ws = words(body);
    ws.windows(phrase.len())
        .any(|win| win.iter().zip(phrase).all(|(a, b)| a == b))
}

/// Every (row id, body) in the database.
pub fn all_bodies(db: &Path) -> Vec<(i64, String)> {
    let conn = store::open(db).unwrap();
    let mut out = Vec::new();
    store::notes::for_each_body(&conn, |id, b| {
        out.push((id, b.to_string()));
        Ok(())
    })
    .unwrap();
    out
}
