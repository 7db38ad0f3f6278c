//! The versioned MS-DRG tables, read from the embedded asset (built by
//! `scripts/drg/build_assets.py`; format described there).
use super::{Code, CodeMap};
use flate2::read::GzDecoder;
use std::collections::HashMap;
use std::io::Read;

/// CC level of a secondary diagnosis (Tables 6I/6J).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    None,
    Cc,
    Mcc,
}

/// What one definitions-table entry says about a code.
#[derive(Debug, Clone)]
pub(crate) enum Role {
    /// The code, as principal, belongs to this MDC.
    Mdc(u8),
    /// A principal diagnosis that can start MDC 24 (multiple significant trauma).
    Trauma24Pdx,
    /// A significant-trauma body site (MDC 24).
    Site(u8),
    /// A condition of a DRG family, optionally needing further procedure codes on the claim.
    Family {
        fam: u16,
        cond: u16,
        extra: Box<[Code]>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Dx {
    pub roles: Box<[u32]>,
    pub level: Level,
    /// The principal-diagnosis exclusion collection (Table 6K) of this CC/MCC.
    pub coll: Option<u16>,
    /// Counts as CC/MCC only when the patient is discharged alive.
    pub alive_only: bool,
    pub hac: Option<u8>,
    /// The exclusion collections this code belongs to (as a principal).
    pub in_colls: Box<[u16]>,
    /// DRG families (by first DRG) in which this code does not count as CC/MCC.
    pub drg_excl: Box<[u16]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OrClass {
    NotOr,
    Extensive,
    NonExtensive,
}

#[derive(Debug, Clone)]
pub(crate) struct Pr {
    pub roles: Box<[u32]>,
    pub or_class: OrClass,
}

/// A DRG as Table 5 and the definitions describe it.
#[derive(Debug, Clone)]
pub struct DrgInfo {
    pub drg: u16,
    /// "PRE", "01".."25" or empty (981-989, 998, 999).
    pub mdc: String,
    pub surgical: bool,
    pub medical: bool,
    pub weight: f64,
    pub gmlos: f64,
    pub amlos: f64,
    pub rank: Option<u16>,
    pub title: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Family {
    pub drgs: Box<[u16]>,
    /// Condition ids seen on diagnoses for this family anywhere in the tables.
    pub dx_conds: Vec<u16>,
}

/// All tables of one grouper version.
#[derive(Debug)]
pub struct Tables {
    pub version: String,
    pub(crate) roles: Vec<Role>,
    pub(crate) conds: Vec<String>,
    pub(crate) dx: CodeMap<Dx>,
    pub(crate) pr: CodeMap<Pr>,
    pub(crate) drgs: Vec<Option<DrgInfo>>,
    pub(crate) families: Vec<Family>,
    pub(crate) fam_by_first: HashMap<u16, u16>,
    pub(crate) cond_by_text: HashMap<String, u16>,
}

/// DRG families assigned by logic rather than by code lists (Definitions Manual).
const SYNTHETIC_FAMILIES: &[&[u16]] = &[
    &[876],
    &[894],
    &[939, 940, 941],
    &[963, 964, 965],
    &[969, 970],
    &[977],
];

fn bad(line: usize, what: &str) -> String {
    format!("DRG table asset, line {line}: {what} (rebuild it with scripts/drg/build_assets.py)")
}

fn parse_drg(s: &str, line: usize) -> Result<u16, String> {
    s.parse::<u16>()
        .map_err(|_| bad(line, &format!("bad DRG number {s:?}")))
}

fn parse_ids(s: &str, line: usize) -> Result<Box<[u32]>, String> {
    if s.is_empty() {
        return Ok(Box::new([]));
    }
    s.split(',')
        .map(|x| x.parse::<u32>().map_err(|_| bad(line, "bad role index")))
        .collect()
}

fn num(s: &str) -> f64 {
    s.trim().parse::<f64>().unwrap_or(0.0)
}

impl Tables {
    /// Reads a gzip'd table asset.
    pub fn from_gz(bytes: &[u8]) -> Result<Tables, String> {
        let mut text = String::new();
        GzDecoder::new(bytes)
            .read_to_string(&mut text)
            .map_err(|e| format!("DRG table asset: cannot decompress: {e}"))?;
        Tables::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Tables, String> {
        let mut t = Tables {
            version: String::new(),
            roles: Vec::new(),
            conds: Vec::new(),
            dx: CodeMap::with_capacity_and_hasher(70_000, Default::default()),
            pr: CodeMap::with_capacity_and_hasher(60_000, Default::default()),
            drgs: vec![None; 1000],
            families: Vec::new(),
            fam_by_first: HashMap::new(),
            cond_by_text: HashMap::new(),
        };
        let mut role_text: Vec<&str> = Vec::new();
        let mut colls: HashMap<&str, u16> = HashMap::new();
        let mut pending_colls: Vec<(Code, &str)> = Vec::new();
        let mut in_colls: CodeMap<Vec<u16>> = CodeMap::default();
        let mut drg_excl: CodeMap<Vec<u16>> = CodeMap::default();
        for (i, line) in text.lines().enumerate() {
            let n = i + 1;
            let mut f = line.split('\t');
            let kind = f.next().unwrap_or("");
            let p: Vec<&str> = f.collect();
            match kind {
                "V" => t.version = p.first().copied().unwrap_or("").to_string(),
                "R" => {
                    let r = p.first().copied().ok_or_else(|| bad(n, "empty role"))?;
                    role_text.push(r);
                    let role = t.parse_role(r, n)?;
                    t.roles.push(role);
                }
                "D" => {
                    if p.len() < 6 {
                        return Err(bad(n, "short diagnosis line"));
                    }
                    let code = Code::new(p[0]).ok_or_else(|| bad(n, "bad diagnosis code"))?;
                    let level = match p[2] {
                        "M" => Level::Mcc,
                        "C" => Level::Cc,
                        _ => Level::None,
                    };
                    if p[3] != "-" {
                        pending_colls.push((code, p[3]));
                    }
                    let hac = if p[5] == "-" {
                        None
                    } else {
                        Some(p[5].parse::<u8>().map_err(|_| bad(n, "bad HAC number"))?)
                    };
                    t.dx.insert(
                        code,
                        Dx {
                            roles: parse_ids(p[1], n)?,
                            level,
                            coll: None,
                            alive_only: p[4] == "1",
                            hac,
                            in_colls: Box::new([]),
                            drg_excl: Box::new([]),
                        },
                    );
                }
                "P" => {
                    if p.len() < 3 {
                        return Err(bad(n, "short procedure line"));
                    }
                    let code = Code::new(p[0]).ok_or_else(|| bad(n, "bad procedure code"))?;
                    let or_class = match p[2] {
                        "E" => OrClass::Extensive,
                        "N" => OrClass::NonExtensive,
                        _ => OrClass::NotOr,
                    };
                    t.pr.insert(
                        code,
                        Pr {
                            roles: parse_ids(p[1], n)?,
                            or_class,
                        },
                    );
                }
                "X" => {
                    if p.len() < 2 {
                        return Err(bad(n, "short exclusion line"));
                    }
                    let id =
                        u16::try_from(colls.len()).map_err(|_| bad(n, "too many collections"))?;
                    colls.insert(p[0], id);
                    for c in p[1].split(' ') {
                        if let Some(code) = Code::new(c) {
                            in_colls.entry(code).or_default().push(id);
                        }
                    }
                }
                "G" => {
                    if p.len() < 8 {
                        return Err(bad(n, "short DRG line"));
                    }
                    let drg = parse_drg(p[0], n)?;
                    let info = DrgInfo {
                        drg,
                        mdc: p[1].to_string(),
                        surgical: p[2] == "P",
                        medical: p[2] == "M",
                        weight: num(p[3]),
                        gmlos: num(p[4]),
                        amlos: num(p[5]),
                        rank: p[6].parse::<u16>().ok(),
                        title: p[7].to_string(),
                    };
                    if let Some(slot) = t.drgs.get_mut(usize::from(drg)) {
                        *slot = Some(info);
                    }
                }
                "E" => {
                    if p.len() < 2 {
                        return Err(bad(n, "short DRG exclusion line"));
                    }
                    let drg = parse_drg(p[0], n)?;
                    for c in p[1].split(' ') {
                        if let Some(code) = Code::new(c) {
                            drg_excl.entry(code).or_default().push(drg);
                        }
                    }
                }
                "" => {}
                other => return Err(bad(n, &format!("unknown line kind {other:?}"))),
            }
        }
        for (code, mut ids) in in_colls {
            if let Some(d) = t.dx.get_mut(&code) {
                ids.sort_unstable();
                ids.dedup();
                d.in_colls = ids.into_boxed_slice();
            }
        }
        for (code, ids) in drg_excl {
            if let Some(d) = t.dx.get_mut(&code) {
                d.drg_excl = ids.into_boxed_slice();
            }
        }
        for (code, name) in pending_colls {
            let id = colls.get(name).copied();
            if let Some(d) = t.dx.get_mut(&code) {
                d.coll = id;
            }
        }
        // Families the Definitions Manual has but no table entry names (any-O.R. and
        // any-principal families).
        for drgs in SYNTHETIC_FAMILIES {
            if let Some(&first) = drgs.first()
                && !t.fam_by_first.contains_key(&first)
            {
                let f =
                    u16::try_from(t.families.len()).map_err(|_| "too many families".to_string())?;
                t.families.push(Family {
                    drgs: drgs.to_vec().into_boxed_slice(),
                    dx_conds: Vec::new(),
                });
                t.fam_by_first.insert(first, f);
            }
        }
        // Which diagnosis conditions each family has anywhere.
        for d in t.dx.values() {
            for &r in d.roles.iter() {
                if let Some(Role::Family { fam, cond, .. }) = t.roles.get(r as usize)
                    && let Some(f) = t.families.get_mut(usize::from(*fam))
                    && !f.dx_conds.contains(cond)
                {
                    f.dx_conds.push(*cond);
                }
            }
        }
        if t.version.is_empty() || t.dx.is_empty() || t.pr.is_empty() {
            return Err("DRG table asset: incomplete (no version, diagnoses or procedures)".into());
        }
        Ok(t)
    }

    fn parse_role(&mut self, r: &str, n: usize) -> Result<Role, String> {
        if r == "_MDC24_PDX" {
            return Ok(Role::Trauma24Pdx);
        }
        if let Some(site) = r.strip_prefix("_TRAUMA24_SITE_") {
            let id = self.intern(site);
            return Ok(Role::Site(u8::try_from(id).unwrap_or(u8::MAX)));
        }
        if let Some(m) = r.strip_prefix("_MDC") {
            return m
                .parse::<u8>()
                .map(Role::Mdc)
                .map_err(|_| bad(n, &format!("bad MDC role {r:?}")));
        }
        let mut parts = r.split('|');
        let fam_text = parts.next().unwrap_or("");
        let cond_text = parts.next().unwrap_or("");
        let extra: Box<[Code]> = parts.filter_map(Code::new).collect();
        let drgs: Box<[u16]> = fam_text
            .split('&')
            .map(|d| parse_drg(d, n))
            .collect::<Result<_, _>>()?;
        let first = drgs
            .first()
            .copied()
            .ok_or_else(|| bad(n, "empty DRG family"))?;
        let fam = match self.fam_by_first.get(&first) {
            Some(&f) => f,
            None => {
                let f =
                    u16::try_from(self.families.len()).map_err(|_| bad(n, "too many families"))?;
                self.families.push(Family {
                    drgs,
                    dx_conds: Vec::new(),
                });
                self.fam_by_first.insert(first, f);
                f
            }
        };
        let cond = self.intern(cond_text);
        Ok(Role::Family { fam, cond, extra })
    }

    fn intern(&mut self, s: &str) -> u16 {
        if let Some(&id) = self.cond_by_text.get(s) {
            return id;
        }
        let id = u16::try_from(self.conds.len()).unwrap_or(u16::MAX);
        self.conds.push(s.to_string());
        self.cond_by_text.insert(s.to_string(), id);
        id
    }

    /// Table 5 and definitions data for a DRG.
    pub fn drg(&self, drg: u16) -> Option<&DrgInfo> {
        self.drgs.get(usize::from(drg)).and_then(|d| d.as_ref())
    }

    pub(crate) fn cond(&self, text: &str) -> Option<u16> {
        self.cond_by_text.get(text).copied()
    }

    pub(crate) fn fam(&self, first: u16) -> Option<u16> {
        self.fam_by_first.get(&first).copied()
    }

    /// Is this a procedure code the tables know?
    pub fn knows_pr(&self, code: &str) -> bool {
        Code::new(code).is_some_and(|c| self.pr.contains_key(&c))
    }

    /// Is this a diagnosis code the tables know (with or without dots)?
    pub fn knows_dx(&self, code: &str) -> bool {
        Code::new(code).is_some_and(|c| self.dx.contains_key(&c))
    }
}
