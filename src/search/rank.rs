//! Re-ranks candidate codes the way a coder judges them.
//!
//! For each candidate, every name it goes by — its title, its own inclusion terms, the inclusion terms
//! of its ancestors (which apply to it) — is matched against the query's slots. A name scores for how
//! much of the query it covers, loses for its words the query did not ask for (nonessential modifiers,
//! negated and vague words cost little), loses more when the query asks for what the name excludes
//! ("with angina" against "without angina"), and gains when it marks the default code ("unspecified",
//! "NOS"). The best name wins; then billable codes, the diagnosis system for diagnosis-like queries and
//! the initial-encounter 7th character are preferred.
use super::analyze::{F_CONTEXT, F_DEFAULT, F_JOINED, F_NEG, F_OPT, F_OTHER, F_STOP, F_WEAK};
use super::query::Compiled;
use super::table::{Entry, NAME_INCL, NAME_TITLE, NONE, Table};
use crate::domain::CodeSystem;

/// A ranked code: table entry, score, and the inclusion term or synonym that matched.
#[derive(Debug, Clone)]
pub(crate) struct Ranked {
    pub entry: u32,
    pub score: f32,
    pub matched: Option<String>,
    /// For a 7th-character variant, the entry of the code it extends (its group); else `NONE`.
    pub group: u32,
    /// For a 7th-character variant, the query words (bit per word index) its 7th-character meaning
    /// matches better than the code's own names do: what the query asks of this variant.
    pub asks: u64,
}

impl Ranked {
    /// A code that is not a 7th-character variant.
    pub(crate) fn plain(entry: u32, score: f32, matched: Option<String>) -> Self {
        Self {
            entry,
            score,
            matched,
            group: NONE,
            asks: 0,
        }
    }
}

const W_COVER: f32 = 10.0;
const W_CONTRA: f32 = 4.0;
const W_DEFAULT: f32 = 0.3;
const P_WORD: f32 = 0.4;
const P_CONTEXT: f32 = 0.8;
const P_WEAK: f32 = 0.15;
const P_OTHER: f32 = 0.45;
/// ICD-10-PCS titles spell out approach, device and qualifier: their extra words cost less.
const PCS_SCALE: f32 = 0.4;
const P_OPT: f32 = 0.03;
const P_NEG: f32 = 0.05;
const Q_CONTEXT: f32 = 0.6;
const Q_TITLE_HELP: f32 = 0.9;
const ADJ_OWN_INCL: f32 = -0.1;
const ADJ_INHERITED: f32 = -0.2;
const P_HEADER: f32 = 1.5;
const P_OTHER_SYSTEM: f32 = 2.0;
const P_DX_FOR_PROCEDURE: f32 = 1.0;
const P_SEVENTH_OTHER: f32 = 0.3;
const W_BM25: f32 = 0.01;

/// Which unmatched words of a name cost points.
#[derive(Clone, Copy)]
enum Penalize<'a> {
    No,
    All,
    /// All but words whose term is in this name (an ancestor's title the words came from).
    Except(&'a [u32]),
}

#[derive(Clone)]
struct Acc {
    best: Vec<f32>,
    contra: Vec<bool>,
    unmatched: f32,
    default: bool,
    /// A content word of the name went unmatched: its "unspecified" is not the bare condition's.
    specific: bool,
    /// Multiplies word penalties (lower for ICD-10-PCS).
    scale: f32,
    /// The name is an inclusion term "... NOS": the code is the default for that wording.
    nos: bool,
}

pub(crate) struct Ranker<'a> {
    table: &'a Table,
    q: &'a Compiled,
    /// term → first link; links chain the query words a term satisfies.
    head: Vec<u32>,
    links: Vec<(u32, u32, f32)>,
    total_weight: f32,
}

impl<'a> Ranker<'a> {
    pub(crate) fn new(table: &'a Table, q: &'a Compiled) -> Self {
        let mut head = vec![NONE; table.term_count()];
        let mut links = Vec::new();
        for (wi, w) in q.words.iter().enumerate() {
            for &(t, quality) in &w.terms {
                if let Some(h) = head.get_mut(t as usize) {
                    links.push((*h, wi as u32, quality));
                    *h = (links.len() - 1) as u32;
                }
            }
        }
        let total_weight = q
            .slots
            .iter()
            .map(|s| s.weight)
            .sum::<f32>()
            .max(f32::EPSILON);
        Self {
            table,
            q,
            head,
            links,
            total_weight,
        }
    }

    fn acc(&self) -> Acc {
        Acc {
            best: vec![0.0; self.q.words.len()],
            contra: vec![false; self.q.words.len()],
            unmatched: 0.0,
            default: false,
            specific: false,
            scale: 1.0,
            nos: false,
        }
    }

    fn apply(&self, acc: &mut Acc, toks: &[u32], quality: f32, penalize: Penalize) {
        for &tok in toks {
            let term = tok >> 8;
            let flags = (tok & 0xff) as u8;
            let negated = flags & F_NEG != 0;
            let mut matched = false;
            let mut link = self.head.get(term as usize).copied().unwrap_or(NONE);
            while link != NONE {
                let (next, wi, q) = self.links[link as usize];
                let wi = wi as usize;
                if self.q.words[wi].neg == negated {
                    acc.best[wi] = acc.best[wi].max(q * quality);
                    matched = true;
                } else {
                    acc.contra[wi] = true;
                }
                link = next;
            }
            let charge = match penalize {
                Penalize::No => false,
                Penalize::All => true,
                Penalize::Except(terms) => !terms.iter().any(|t| t >> 8 == term),
            };
            if !matches!(penalize, Penalize::No) && flags & F_DEFAULT != 0 {
                acc.default = true;
            }
            if charge && !matched {
                acc.unmatched += acc.scale
                    * if flags & (F_STOP | F_DEFAULT | F_JOINED) != 0 {
                        0.0
                    } else if flags & F_NEG != 0 {
                        // "without complications": the bare condition's code.
                        acc.default = true;
                        P_NEG
                    } else if flags & F_OPT != 0 {
                        P_OPT
                    } else if flags & F_CONTEXT != 0 {
                        acc.specific = true;
                        P_CONTEXT
                    } else if flags & F_OTHER != 0 {
                        acc.specific = true;
                        P_OTHER
                    } else if flags & F_WEAK != 0 {
                        P_WEAK
                    } else {
                        acc.specific = true;
                        P_WORD
                    };
            }
        }
    }

    /// The score of an accumulated match, and the synonym that carried it if any.
    fn finish(&self, acc: &Acc) -> (f32, Option<&'a str>) {
        let mut cover = 0.0;
        let mut contra = 0.0;
        let mut label = None;
        for slot in &self.q.slots {
            let mut m = 0.0f32;
            let mut lab = None;
            for alt in &slot.alts {
                if alt.words.is_empty() {
                    continue;
                }
                let sum: f32 = alt.words.iter().map(|&w| acc.best[w]).sum();
                let v = alt.quality * sum / alt.words.len() as f32;
                if v > m {
                    m = v;
                    lab = alt.synonym.as_deref();
                }
            }
            cover += slot.weight * m;
            if m < 0.5
                && slot
                    .alts
                    .iter()
                    .any(|a| a.words.iter().any(|&w| acc.contra[w]))
            {
                contra += slot.weight;
            }
            if m >= 0.5 && label.is_none() {
                label = lab;
            }
        }
        let mut s = W_COVER * cover / self.total_weight
            - acc.unmatched
            - W_CONTRA * contra / self.total_weight;
        if (acc.default || acc.nos) && !acc.specific {
            s += W_DEFAULT;
        }
        (s, label)
    }

    fn ancestors(&self, e: &Entry) -> Vec<u32> {
        let mut out = Vec::new();
        let mut p = e.parent;
        while p != NONE && out.len() < 8 {
            out.push(p);
            p = self.table.get_entry(p as usize).map_or(NONE, |x| x.parent);
        }
        out
    }

    fn title_toks(&self, e: &Entry) -> &'a [u32] {
        self.table
            .names_of(e)
            .find(|n| n.kind == NAME_TITLE)
            .map_or(&[], |n| self.table.toks(&n))
    }

    /// Scores candidate `idx` (and its 7th-character expansions) into `out`.
    pub(crate) fn score(&self, idx: u32, bm25: f32, out: &mut Vec<Ranked>) {
        let t = self.table;
        let Some(e) = t.get_entry(idx as usize) else {
            return;
        };
        if e.seventh != 0 {
            return;
        }
        let ancestors = self.ancestors(&e);
        let mut base = self.acc();
        if e.system == CodeSystem::Icd10Pcs {
            base.scale = PCS_SCALE;
        }
        for &a in &ancestors {
            let toks = self.title_toks(&t.entry(a as usize));
            self.apply(&mut base, toks, Q_CONTEXT, Penalize::No);
        }
        let own_title = self.title_toks(&e);
        let mut best: Option<(f32, Acc, Option<String>)> = None;
        let mut consider = |s: f32, acc: Acc, matched: Option<String>| {
            if best.as_ref().is_none_or(|b| s > b.0) {
                best = Some((s, acc, matched));
            }
        };
        for name in t.names_of(&e) {
            let mut acc = base.clone();
            self.apply(&mut acc, t.toks(&name), 1.0, Penalize::All);
            let mut adj = 0.0;
            let mut matched = None;
            if name.kind == NAME_INCL {
                self.apply(&mut acc, own_title, Q_TITLE_HELP, Penalize::No);
                acc.nos = name.nos;
                adj = ADJ_OWN_INCL;
                matched = Some(t.str(name.text).to_string());
            }
            let (s, lab) = self.finish(&acc);
            consider(s + adj, acc, matched.or(lab.map(str::to_string)));
        }
        for &a in &ancestors {
            let ae = t.entry(a as usize);
            let a_title = self.title_toks(&ae);
            for name in t.names_of(&ae).filter(|n| n.kind == NAME_INCL) {
                let mut acc = base.clone();
                self.apply(&mut acc, t.toks(&name), 1.0, Penalize::All);
                self.apply(&mut acc, own_title, 1.0, Penalize::Except(a_title));
                acc.nos = name.nos;
                let (s, _) = self.finish(&acc);
                consider(s + ADJ_INHERITED, acc, Some(t.str(name.text).to_string()));
            }
        }
        let Some((s, acc, matched)) = best else {
            return;
        };
        let prior =
            self.prior(&e) + W_BM25 * bm25.min(30.0) + self.q.pcs.score(e.system, t.code(&e));
        let header_penalty = if e.billable { 0.0 } else { P_HEADER };
        out.push(Ranked::plain(
            idx,
            s + prior - header_penalty,
            matched.clone(),
        ));
        if e.ext_count == 0 {
            return;
        }
        let first = idx as usize + 1;
        let kids = first..(first + e.ext_count as usize).min(t.entry_count());
        let default_kid = self.default_seventh(&e, kids.clone());
        for k in kids {
            let ke = t.entry(k);
            if ke.parent != idx {
                continue;
            }
            let mut kid = acc.clone();
            for name in t.names_of(&ke) {
                self.apply(&mut kid, t.toks(&name), 1.0, Penalize::No);
            }
            let (ks, _) = self.finish(&kid);
            let bonus = if Some(k) == default_kid {
                0.0
            } else {
                -P_SEVENTH_OTHER
            };
            let kp = if ke.billable { 0.0 } else { P_HEADER };
            out.push(Ranked {
                entry: k as u32,
                score: ks + prior + bonus - kp,
                matched: matched.clone(),
                group: idx,
                asks: self.asked(&acc, &kid),
            });
        }
    }

    /// The content words of the query (bit per word index, the first 64) that `kid` matches better
    /// than `base`: what a 7th-character meaning adds to the code's own match.
    fn asked(&self, base: &Acc, kid: &Acc) -> u64 {
        let mut mask = 0u64;
        for (wi, w) in self.q.words.iter().enumerate().take(64) {
            if !w.stop && kid.best[wi] > base.best[wi] + 1e-4 {
                mask |= 1 << wi;
            }
        }
        mask
    }

    fn prior(&self, e: &Entry) -> f32 {
        match e.system {
            CodeSystem::Icd10Cm if self.q.procedure_like => -P_DX_FOR_PROCEDURE,
            CodeSystem::Icd10Cm => 0.0,
            _ if self.q.procedure_like => 0.0,
            _ => -P_OTHER_SYSTEM,
        }
    }

    /// The 7th character to assume when the query says nothing: the initial encounter, else the
    /// unspecified or not-applicable one, else the first.
    fn default_seventh(&self, parent: &Entry, kids: std::ops::Range<usize>) -> Option<usize> {
        let t = self.table;
        let plen = t.title(parent).len();
        let meaning = |k: usize| {
            t.title(&t.entry(k))
                .get(plen..)
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        kids.clone()
            .find(|&k| meaning(k).contains("initial"))
            .or_else(|| {
                kids.clone().find(|&k| {
                    let m = meaning(k);
                    m.contains("unspecified") || m.contains("not applicable")
                })
            })
            .or(Some(kids.start))
    }
}
