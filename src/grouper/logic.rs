//! The grouping steps. Families are named by their first DRG (e.g. 280 for 280-285).
use super::tables::{Level, OrClass, Role, Tables};
use super::{
    Claim, Code, DrgType, Excluded, ExclusionReason, Grouping, Options, ReturnCode, Secondary, Sex,
    VERSION,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Src {
    Pdx,
    Sdx,
    Proc,
}

/// One satisfied condition: family, where it came from, which condition text.
#[derive(Debug, Clone, Copy)]
struct Sat {
    fam: u16,
    src: Src,
    cond: u16,
    /// Which code of its kind on the claim satisfied it (0 = principal, 1.. secondaries; procedures from 0).
    who: usize,
}

struct Sdx {
    code: Code,
    poa: Option<char>,
    level: Level,
    hac: Option<u8>,
}

/// "Any OR procedure" families by MDC (Definitions Manual: families whose procedure list is any
/// O.R. procedure, given their principal-diagnosis condition), in order of preference.
const ANY_OR: &[(u8, &[u16])] = &[
    (14, &[817]),
    (17, &[823, 829, 850]),
    (18, &[856, 853]),
    (19, &[876]),
    (23, &[939]),
];

const MV96: &str = "MECHANICAL VENTILATION >96 HOURS NON-ORPCS";

struct Ctx<'a> {
    t: &'a Tables,
    pdx: Code,
    sdx: Vec<Sdx>,
    procs: Vec<Code>,
    sat: Vec<Sat>,
    alive: bool,
    status: String,
    exempt: bool,
    mdc: u8,
    hiv_major: bool,
    /// Set when pre-MDC logic decided (the MDC reported stays the principal's).
    pre_mdc: bool,
    mdc_override: Option<u8>,
}

fn fam_first(t: &Tables, fam: u16) -> u16 {
    t.families
        .get(usize::from(fam))
        .and_then(|f| f.drgs.first().copied())
        .unwrap_or(0)
}

impl Ctx<'_> {
    fn fam_id(&self, first: u16) -> Option<u16> {
        self.t.fam(first)
    }

    fn has(&self, first: u16, src: Option<Src>) -> bool {
        let Some(f) = self.fam_id(first) else {
            return false;
        };
        self.sat
            .iter()
            .any(|s| s.fam == f && src.is_none_or(|x| x == s.src))
    }

    fn has_cond(&self, first: u16, srcs: &[Src], cond: &str) -> bool {
        let (Some(f), Some(c)) = (self.fam_id(first), self.t.cond(cond)) else {
            return false;
        };
        self.sat
            .iter()
            .any(|s| s.fam == f && s.cond == c && srcs.contains(&s.src))
    }

    /// Procedure conditions of a family satisfied on the claim, with which procedure.
    fn proc_conds(&self, first: u16) -> Vec<(&str, usize)> {
        let Some(f) = self.fam_id(first) else {
            return Vec::new();
        };
        self.sat
            .iter()
            .filter(|s| s.fam == f && s.src == Src::Proc)
            .filter_map(|s| {
                self.t
                    .conds
                    .get(usize::from(s.cond))
                    .map(|c| (c.as_str(), s.who))
            })
            .collect()
    }

    /// Families whose procedure conditions must be met together (Definitions Manual).
    fn combination_ok(&self, first: u16) -> bool {
        let pc = self.proc_conds(first);
        let has = |needle: &str| pc.iter().any(|(c, _)| c.contains(needle));
        let procs_with = |needle: &str| {
            let mut w: Vec<usize> = pc
                .iter()
                .filter(|(c, _)| c.contains(needle))
                .map(|x| x.1)
                .collect();
            w.sort_unstable();
            w.dedup();
            w.len()
        };
        match first {
            212 => {
                has("FIRST CONDITION")
                    && has("SECOND CONDITION")
                    && (has("THIRD CONDITION") || has("CONCOMITANT NON-ORPCS"))
            }
            231 => has("CORONARY BYPASS") && has("PTCA"),
            216 => has("CARDIAC CATHETERIZATION") && has("CARDIAC VALVE"),
            213 => has("ONE OF THE FOLLOWING ORPCS") && has("WITH ONE OF THE ORPCS"),
            768 => {
                (has("DELIVERY ORPCS") || pc.iter().any(|(c, _)| *c == "NON-ORPCS"))
                    && self.delivered()
            }
            783 => has("AND ORPCS") && pc.iter().any(|(c, _)| *c == "ORPCS") && self.delivered(),
            786 | 796 => self.delivered(),
            317 => has("FIRST CONDITION") && has("SECOND CONDITION"),
            // Defibrillator implant with catheterization; kidney transplant with hemodialysis.
            275 | 650 => {
                let mut conds: Vec<&str> = pc.iter().map(|x| x.0).collect();
                conds.sort_unstable();
                conds.dedup();
                conds.len() >= 2
            }
            233 => {
                has("CORONARY BYPASS")
                    && (has("ABLATION")
                        || has("CATHETERIZATION")
                        || pc.iter().any(|(c, _)| *c == "NON-ORPCS"))
            }
            429 => has("ANTERIOR CERVICAL") && has("POSTERIOR CERVICAL"),
            461 => {
                let mut sites: Vec<&str> = pc.iter().map(|x| x.0).collect();
                sites.sort_unstable();
                sites.dedup();
                sites.len() >= 2
            }
            402 => has("SINGLE LEVEL ANTERIOR") && has("SINGLE LEVEL POSTERIOR"),
            426 => {
                let anterior = has("MULTIPLE LEVEL ANTERIOR") || has("SINGLE LEVEL ANTERIOR");
                let posterior = has("MULTIPLE LEVEL POSTERIOR") || has("SINGLE LEVEL POSTERIOR");
                let multiple = has("MULTIPLE LEVEL ANTERIOR")
                    || has("MULTIPLE LEVEL POSTERIOR")
                    || procs_with("SINGLE LEVEL") >= 3;
                (anterior && posterior && multiple) || has("MULTIPLE LEVEL CUSTOM-MADE")
            }
            447 => has("MULTIPLE LEVEL") || procs_with("SINGLE LEVEL") >= 2,
            _ => true,
        }
    }

    /// An outcome-of-delivery secondary (Z37.-) is on the claim: delivery DRGs need one.
    fn delivered(&self) -> bool {
        self.has_cond(796, &[Src::Sdx], "SDX")
    }

    fn drgs(&self, first: u16) -> Vec<u16> {
        self.fam_id(first)
            .and_then(|f| self.t.families.get(usize::from(f)))
            .map(|f| f.drgs.to_vec())
            .unwrap_or_else(|| vec![first])
    }

    fn or_procs(&self) -> impl Iterator<Item = OrClass> + '_ {
        self.procs
            .iter()
            .filter_map(|p| self.t.pr.get(p).map(|x| x.or_class))
            .filter(|c| *c != OrClass::NotOr)
    }

    fn hac_criteria(&self, hac: u8) -> bool {
        let has_prefix = |prefixes: &[&str]| {
            self.procs.iter().any(|p| {
                let s = p.text();
                prefixes.iter().any(|x| s.starts_with(x))
            })
        };
        match hac {
            // Mediastinitis after CABG.
            8 => self.procs.iter().any(|p| {
                self.t.pr.get(p).is_some_and(|x| {
                    x.roles.iter().any(|&r| {
                        matches!(self.t.roles.get(r as usize), Some(Role::Family { cond, .. })
                            if self.t.conds.get(usize::from(*cond)).is_some_and(|c| c == "CORONARY BYPASS ORPCS"))
                    })
                })
            }),
            // DVT/PE after total knee or hip replacement.
            10 => has_prefix(&[
                "0SR9", "0SRB", "0SRA", "0SRE", "0SRR", "0SRS", "0SRC", "0SRD", "0SRT", "0SRU",
                "0SRV", "0SRW",
            ]),
            // SSI after bariatric surgery (principal morbid obesity).
            11 => {
                self.pdx.text() == "E6601" && has_prefix(&["0D16", "0DB64Z3", "0DV64CZ"])
            }
            // SSI after certain spine, neck, shoulder and elbow procedures.
            12 => has_prefix(&["0RG", "0SG0", "0SG1", "0SG3", "0RRJ", "0RRK", "0RRL", "0RRM"]),
            // SSI after cardiac implantable electronic device procedures.
            13 => self.procs.iter().any(|p| {
                let s = p.text();
                (s.starts_with("0JH6") || s.starts_with("0JH8"))
                    && s.as_bytes().get(5).is_some_and(|d| b"456789P".contains(d))
            }),
            // Iatrogenic pneumothorax with venous catheterization.
            14 => self.procs.iter().any(|p| {
                let s = p.text();
                s.starts_with("02HV33")
                    || ((s.starts_with("05H") || s.starts_with("06H"))
                        && s.as_bytes().get(4) == Some(&b'3'))
            }),
            _ => true,
        }
    }

    /// The HAC whose criteria hold for this HAC-list secondary, if any. Surgical-site infection
    /// codes (T81.4-) are on three lists (HAC 11 bariatric, 12 orthopedic, 13 CIED); the table
    /// names one.
    fn hac_met(&self, s: &Sdx) -> Option<u8> {
        let h = s.hac?;
        if s.code.text().starts_with("T814") {
            return [11, 12, 13].into_iter().find(|&n| self.hac_criteria(n));
        }
        self.hac_criteria(h).then_some(h)
    }

    /// The HAC step applies to this secondary (POA N/U, criteria hold, hospital not exempt).
    fn hac_applies(&self, s: &Sdx) -> Option<u8> {
        if self.exempt || !matches!(s.poa, Some('N' | 'U')) {
            return None;
        }
        self.hac_met(s)
    }

    /// Severity for a family (None: no DRG-specific exclusions): 0 none, 1 CC, 2 MCC.
    fn severity(&self, first: Option<u16>, use_hac: bool, detail: Option<&mut Detail>) -> u8 {
        let mut lvl = 0;
        let mut d = Detail::default();
        for s in &self.sdx {
            if s.level == Level::None {
                continue;
            }
            let Some(info) = self.t.dx.get(&s.code) else {
                continue;
            };
            let pdx_in = |c: u16| {
                self.t
                    .dx
                    .get(&self.pdx)
                    .is_some_and(|p| p.in_colls.binary_search(&c).is_ok())
            };
            let reason = if info.coll.is_some_and(pdx_in) {
                Some(ExclusionReason::PrincipalExclusion)
            } else if info.alive_only && !self.alive {
                Some(ExclusionReason::DischargedAliveOnly)
            } else if first.is_some_and(|f| info.drg_excl.contains(&f)) {
                Some(ExclusionReason::DrgSpecific)
            } else if use_hac {
                self.hac_applies(s).map(ExclusionReason::Hac)
            } else {
                None
            };
            match reason {
                Some(r) => d.excluded.push(Excluded {
                    code: s.code.text(),
                    level: s.level,
                    reason: r,
                }),
                None if s.level == Level::Mcc => {
                    lvl = 2;
                    d.mcc.push(s.code.text());
                }
                None => {
                    lvl = lvl.max(1);
                    d.cc.push(s.code.text());
                }
            }
        }
        if let Some(out) = detail {
            *out = d;
        }
        lvl
    }

    fn title(&self, drg: u16) -> &str {
        self.t.drg(drg).map(|d| d.title.as_str()).unwrap_or("")
    }

    /// Picks the DRG of a family by severity (and the few non-severity splits).
    fn split(&self, drgs: &[u16], lvl: u8) -> u16 {
        match drgs {
            [] => 999,
            [one] => *one,
            [a, b, c] => match lvl {
                2 => *a,
                1 => *b,
                _ => *c,
            },
            [a, b] => {
                let t = self.title(*a);
                if t.contains("with CC/MCC") || t.contains("with CC or MCC") {
                    if lvl >= 1 { *a } else { *b }
                } else if t.contains("with MCC") {
                    if lvl == 2 { *a } else { *b }
                } else if t.contains("with CC") {
                    if lvl >= 1 { *a } else { *b }
                } else {
                    *a
                }
            }
            [a, ..] => *a,
        }
    }

    fn pick(&self, first: u16, use_hac: bool) -> u16 {
        let drgs = self.drgs(first);
        let lvl = self.severity(Some(first), use_hac, None);
        match first {
            870 | 895 => {
                if self.has(first, Some(Src::Proc)) {
                    first
                } else {
                    self.split(drgs.get(1..).unwrap_or(&[]), lvl)
                }
            }
            5 if self.has_cond(5, &[Src::Proc], "INTESTINAL TRANSPLANT ORPCS") => 5,
            207 => {
                if self.has_cond(
                    207,
                    &[Src::Proc],
                    "ANY PDX IN MDC 4 MECHANICAL VENTILATION >96 HOURS NON-ORPCS",
                ) {
                    207
                } else {
                    208
                }
            }
            426 | 447 | 450
                if self
                    .proc_conds(first)
                    .iter()
                    .any(|(c, _)| c.contains("CUSTOM-MADE")) =>
            {
                first
            }
            573 | 656 | 715 | 736 | 380 | 350 => {
                let (cond, cut) = match first {
                    350 => ("INGUINAL AND FEMORAL HERNIA PROCEDURE ORPCS", 3),
                    573 => ("SKIN ULCER OR CELLULITIS PDX", 3),
                    656 => ("NEOPLASM PDX", 3),
                    715 => ("MALIGNANCY PDX", 2),
                    736 => ("OVARIAN/ADNEXAL MALIGNANCY PDX", 3),
                    _ => ("COMPLICATED PEPTIC ULCER PDX", 3),
                };
                let cut = cut.min(drgs.len());
                let src = if first == 350 { Src::Proc } else { Src::Pdx };
                if self.has_cond(first, &[src], cond) {
                    self.split(&drgs[..cut], lvl)
                } else {
                    self.split(&drgs[cut..], lvl)
                }
            }
            280 => {
                let half = if self.alive {
                    &drgs[..3.min(drgs.len())]
                } else {
                    drgs.get(3..).unwrap_or(&[])
                };
                self.split(half, lvl)
            }
            _ => self.split(&drgs, lvl),
        }
    }

    fn rank(&self, fam: u16) -> (u16, u16) {
        let first = fam_first(self.t, fam);
        (self.t.drg(first).and_then(|d| d.rank).unwrap_or(999), first)
    }

    fn drg_mdc(&self, fam: u16) -> &str {
        self.t
            .drg(fam_first(self.t, fam))
            .map(|d| d.mdc.as_str())
            .unwrap_or("")
    }

    fn fam_surgical(&self, fam: u16) -> bool {
        self.t
            .drg(fam_first(self.t, fam))
            .is_some_and(|d| d.surgical)
    }

    fn premdc_ok(&self, first: u16) -> bool {
        match first {
            8 | 19 | 10 => self.has(first, Some(Src::Pdx)) || self.has(first, Some(Src::Sdx)),
            11 => {
                self.has(11, Some(Src::Pdx))
                    || self.has_cond(11, &[Src::Proc], "LARYNGECTOMY ORPCS")
            }
            3 => {
                let mv = self.t.cond(MV96);
                let f = self.fam_id(3);
                self.sat
                    .iter()
                    .any(|s| Some(s.fam) == f && s.src == Src::Proc && Some(s.cond) != mv)
            }
            _ => true,
        }
    }

    /// 003/004 (ECMO or tracheostomy) against 011-013 (tracheostomy for face, mouth and neck).
    fn premdc_trach(&self) -> u16 {
        if self.has_cond(3, &[Src::Proc], "ECMO ORPCS")
            || self.has_cond(3, &[Src::Proc], "NON-ORPCS")
        {
            return 3;
        }
        let fmn = self.has(11, Some(Src::Pdx));
        let mv = self.has_cond(3, &[Src::Proc], MV96);
        if !mv && fmn {
            return 11;
        }
        let trach = ["0B110F4", "0B110Z4", "0B114F4", "0B114Z4"];
        let major = self.procs.iter().any(|p| {
            self.t
                .pr
                .get(p)
                .is_some_and(|x| x.or_class != OrClass::NotOr)
                && !trach.contains(&p.text().as_str())
        });
        if major { 3 } else { 4 }
    }

    fn surg_ok(&self, fam: u16) -> bool {
        let Some(f) = self.t.families.get(usize::from(fam)) else {
            return false;
        };
        let first = fam_first(self.t, fam);
        if !self.combination_ok(first) {
            return false;
        }
        // Families split (not qualified) by the principal: neoplasm or not, ulcer/cellulitis or not.
        if matches!(first, 573 | 656 | 715) {
            return true;
        }
        let needs_psdx = f.dx_conds.iter().any(|&c| {
            self.t
                .conds
                .get(usize::from(c))
                .is_some_and(|c| c == "PSDX")
        });
        if needs_psdx && !self.sat.iter().any(|s| s.fam == fam && s.src != Src::Proc) {
            return false;
        }
        let needs_pdx = f.dx_conds.iter().any(|&c| {
            self.t.conds.get(usize::from(c)).is_some_and(|c| {
                c.contains("PDX")
                    && !c.contains("EXCEPT")
                    && !c.starts_with("AND")
                    && !c.starts_with("OR ")
            })
        });
        !needs_pdx || self.sat.iter().any(|s| s.fam == fam && s.src == Src::Pdx)
    }

    fn med_ok(&self, fam: u16) -> bool {
        let first = fam_first(self.t, fam);
        let has_proc = self.sat.iter().any(|s| s.fam == fam && s.src == Src::Proc);
        if first == 61 && !has_proc {
            return false;
        }
        // Families named by a procedure alone ("any principal in the MDC" with ventilation, with
        // cardiac catheterization...).
        let no_dx_conds = self
            .t
            .families
            .get(usize::from(fam))
            .is_some_and(|f| f.dx_conds.is_empty());
        if no_dx_conds {
            return has_proc;
        }
        // Rehabilitation: a rehabilitation procedure with an MDC 23 principal not on the except list.
        if first == 945 {
            return has_proc
                && !self.has_cond(
                    945,
                    &[Src::Pdx],
                    "OR FIRST CONDITION - ANY MDC 23 PDX EXCEPT",
                );
        }
        self.sat.iter().any(|s| s.fam == fam && s.src == Src::Pdx)
    }

    fn unrelated_or(&self, lvl: u8) -> Option<u16> {
        let mut any = false;
        let mut extensive = false;
        for c in self.or_procs() {
            any = true;
            extensive |= c == OrClass::Extensive;
        }
        any.then(|| {
            let base = if extensive { 981 } else { 987 };
            base + u16::from(2 - lvl.min(2))
        })
    }

    fn neonate(&self) -> u16 {
        if matches!(self.status.as_str(), "02" | "05" | "20" | "82" | "85") {
            return 789;
        }
        if self.has(790, None) {
            return 790;
        }
        let major = self.has(793, None);
        if self.has(791, None) {
            return if major { 791 } else { 792 };
        }
        if major {
            return 793;
        }
        if self.has(794, None) {
            return 794;
        }
        let only = self.t.cond("AND NO SDX OR ONLY SDX");
        let f795 = self.fam_id(795);
        let all_ok = self.sdx.iter().all(|s| {
            self.t.dx.get(&s.code).is_some_and(|d| {
                d.roles.iter().any(|&r| {
                    matches!(self.t.roles.get(r as usize), Some(Role::Family { fam, cond, .. })
                        if Some(*fam) == f795 && Some(*cond) == only)
                })
            })
        });
        if self.has(795, Some(Src::Pdx)) && all_ok {
            795
        } else {
            794
        }
    }

    fn burns(&self, use_hac: bool) -> u16 {
        let dx = [Src::Pdx, Src::Sdx];
        let mv = self.has_cond(927, &[Src::Proc], MV96);
        if self.has_cond(927, &dx, "EXTENSIVE BURNS PSDX")
            || (self.has_cond(927, &dx, "FULL THICKNESS BURNS PSDX") && mv)
        {
            return if self.has_cond(927, &[Src::Proc], "SKIN GRAFT PROCEDURE ORPCS") {
                927
            } else {
                933
            };
        }
        if self.has_cond(928, &dx, "PSDX") {
            if self.has(928, Some(Src::Proc))
                || self.has_cond(928, &[Src::Sdx], "INHALATION INJURY SDX")
            {
                let lvl = self.severity(Some(928), use_hac, None);
                return if lvl >= 1 { 928 } else { 929 };
            }
            return 934;
        }
        935
    }

    /// The DRG (and the family deciding severity, for the detail) for one pass.
    fn choose(&mut self, use_hac: bool, path: &mut Vec<String>) -> Option<(u16, Option<u16>)> {
        let t = self.t;
        // Pre-MDC.
        let mut cands: Vec<u16> = Vec::new();
        for s in &self.sat {
            if s.src == Src::Proc
                && self.drg_mdc(s.fam) == "PRE"
                && !cands.contains(&s.fam)
                && self.premdc_ok(fam_first(t, s.fam))
            {
                cands.push(s.fam);
            }
        }
        if let Some(&best) = cands.iter().min_by_key(|f| self.rank(**f)) {
            let mut first = fam_first(t, best);
            if first == 3 {
                first = self.premdc_trach();
            }
            self.pre_mdc = true;
            path.push(format!("pre-MDC: {}", self.title(first)));
            return Some((self.pick(first, use_hac), Some(first)));
        }
        if self.has(998, Some(Src::Pdx)) {
            path.push("principal invalid as discharge diagnosis".into());
            return Some((998, None));
        }
        if self.mdc != 24 && self.has(652, Some(Src::Proc)) {
            self.mdc_override = Some(11);
            path.push("kidney transplant".into());
            return Some((652, Some(652)));
        }
        let orp: Vec<OrClass> = self.or_procs().collect();
        if self.mdc == 25 {
            let first = if orp.contains(&OrClass::Extensive) {
                969
            } else if self.hiv_major {
                974
            } else {
                977
            };
            path.push("MDC 25 (HIV)".into());
            return Some((self.pick(first, use_hac), Some(first)));
        }
        if self.mdc == 22 {
            path.push("MDC 22 (burns)".into());
            let d = self.burns(use_hac);
            return Some((d, Some(if d == 935 { 935 } else { 928 })));
        }
        let m = format!("{:02}", self.mdc);
        for s in &self.sat {
            if s.src == Src::Proc
                && self.drg_mdc(s.fam) == m
                && self.fam_surgical(s.fam)
                && !cands.contains(&s.fam)
                && self.surg_ok(s.fam)
            {
                cands.push(s.fam);
            }
        }
        if !orp.is_empty() && cands.is_empty() {
            let list = ANY_OR
                .iter()
                .find(|(mdc, _)| *mdc == self.mdc)
                .map(|(_, l)| *l)
                .unwrap_or(&[]);
            for &first in list {
                let Some(fam) = self.fam_id(first) else {
                    continue;
                };
                if first == 853 {
                    if self.has(856, Some(Src::Pdx)) {
                        continue;
                    }
                } else {
                    let needs = t.families.get(usize::from(fam)).is_some_and(|f| {
                        f.dx_conds.iter().any(|&c| {
                            t.conds
                                .get(usize::from(c))
                                .is_some_and(|c| c.contains("PDX"))
                        })
                    });
                    if needs && !self.has(first, Some(Src::Pdx)) {
                        continue;
                    }
                }
                cands.push(fam);
                break;
            }
        }
        if let Some(&best) = cands.iter().min_by_key(|f| self.rank(**f)) {
            let first = fam_first(t, best);
            path.push(format!("surgical: {}", self.title(first)));
            return Some((self.pick(first, use_hac), Some(first)));
        }
        if !orp.is_empty() && self.mdc != 15 && self.mdc != 22 {
            let lvl = self.severity(None, use_hac, None);
            path.push("O.R. procedure unrelated to the principal diagnosis".into());
            return self.unrelated_or(lvl).map(|d| (d, None));
        }
        match self.mdc {
            24 => {
                path.push("MDC 24 (multiple significant trauma), medical".into());
                return Some((self.pick(963, use_hac), Some(963)));
            }
            20 => {
                if self.status == "07" {
                    path.push("left against medical advice".into());
                    return Some((894, None));
                }
                path.push("MDC 20, medical".into());
                return Some((self.pick(895, use_hac), Some(895)));
            }
            15 => {
                path.push("MDC 15 (newborn)".into());
                return Some((self.neonate(), None));
            }
            22 => {
                path.push("MDC 22 (burns)".into());
                let d = self.burns(use_hac);
                return Some((d, Some(if d == 935 { 935 } else { 928 })));
            }
            _ => {}
        }
        let mut meds: Vec<u16> = Vec::new();
        for s in &self.sat {
            if !meds.contains(&s.fam)
                && self.drg_mdc(s.fam) == m
                && !self.fam_surgical(s.fam)
                && self.med_ok(s.fam)
            {
                meds.push(s.fam);
            }
        }
        let best = meds.iter().copied().min_by_key(|&f| {
            let has_proc = self.sat.iter().any(|s| s.fam == f && s.src == Src::Proc);
            (u8::from(!has_proc), fam_first(t, f))
        })?;
        let first = fam_first(t, best);
        path.push(format!("medical: {}", self.title(first)));
        Some((self.pick(first, use_hac), Some(first)))
    }
}

#[derive(Default)]
struct Detail {
    cc: Vec<String>,
    mcc: Vec<String>,
    excluded: Vec<Excluded>,
}

fn ungroupable(t: &Tables, rc: ReturnCode, initial: u16, path: Vec<String>) -> Grouping {
    Grouping {
        version: VERSION,
        drg: 999,
        initial_drg: initial,
        mdc: 0,
        drg_type: DrgType::Ungroupable,
        title: t
            .drg(999)
            .map(|d| d.title.clone())
            .unwrap_or_else(|| "Ungroupable".into()),
        weight: 0.0,
        gmlos: 0.0,
        amlos: 0.0,
        return_code: rc,
        cc: Vec::new(),
        mcc: Vec::new(),
        excluded: Vec::new(),
        hac: Vec::new(),
        path,
    }
}

fn is_external_cause(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 4 && matches!(b[0], b'V' | b'W' | b'X' | b'Y') && b[1].is_ascii_digit()
}

pub(super) fn group(t: &Tables, claim: &Claim, opts: &Options) -> Grouping {
    let pdx_text: String = claim
        .pdx
        .trim()
        .chars()
        .filter(|c| *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let pdx = Code::new(&pdx_text);
    let Some((pdx, pdx_info)) = pdx.and_then(|c| t.dx.get(&c).map(|i| (c, i))) else {
        let rc = if pdx.is_some() && is_external_cause(&pdx_text) {
            ReturnCode::DxCannotBePdx
        } else {
            ReturnCode::InvalidPdx
        };
        let why = if rc == ReturnCode::DxCannotBePdx {
            "an external-cause code cannot be principal"
        } else {
            "the principal is not a valid ICD-10-CM code"
        };
        return ungroupable(t, rc, 999, vec![why.into()]);
    };
    if pdx_info.roles.is_empty() {
        return ungroupable(
            t,
            ReturnCode::DxCannotBePdx,
            999,
            vec!["cannot be principal".into()],
        );
    }
    let mut sdx: Vec<Sdx> = Vec::with_capacity(claim.sdx.len());
    for Secondary { code, poa } in &claim.sdx {
        let Some(c) = Code::new(code) else { continue };
        if c == pdx || sdx.iter().any(|s| s.code == c) {
            continue;
        }
        if let Some(info) = t.dx.get(&c) {
            sdx.push(Sdx {
                code: c,
                poa: poa.map(|p| p.to_ascii_uppercase()),
                level: info.level,
                hac: info.hac,
            });
        }
    }
    let mut procs: Vec<Code> = Vec::with_capacity(claim.procs.len());
    for p in &claim.procs {
        if let Some(c) = Code::new(p)
            && t.pr.contains_key(&c)
            && !procs.contains(&c)
        {
            procs.push(c);
        }
    }
    // Satisfied conditions, MDC labels, trauma sites.
    let mut sat: Vec<Sat> = Vec::with_capacity(64);
    let mut mdcs: Vec<u8> = Vec::new();
    let mut t24 = false;
    let mut sites: Vec<(usize, u8)> = Vec::new();
    for &r in pdx_info.roles.iter() {
        match t.roles.get(r as usize) {
            Some(Role::Mdc(m)) => mdcs.push(*m),
            Some(Role::Trauma24Pdx) => t24 = true,
            Some(Role::Site(s)) => sites.push((0, *s)),
            Some(Role::Family { fam, cond, .. }) => sat.push(Sat {
                fam: *fam,
                src: Src::Pdx,
                cond: *cond,
                who: 0,
            }),
            None => {}
        }
    }
    for (j, s) in sdx.iter().enumerate() {
        let Some(info) = t.dx.get(&s.code) else {
            continue;
        };
        for &r in info.roles.iter() {
            match t.roles.get(r as usize) {
                Some(Role::Site(site)) => sites.push((j + 1, *site)),
                Some(Role::Family { fam, cond, .. }) => sat.push(Sat {
                    fam: *fam,
                    src: Src::Sdx,
                    cond: *cond,
                    who: j + 1,
                }),
                _ => {}
            }
        }
    }
    for (k, p) in procs.iter().enumerate() {
        let Some(info) = t.pr.get(p) else { continue };
        for &r in info.roles.iter() {
            if let Some(Role::Family { fam, cond, extra }) = t.roles.get(r as usize)
                && extra.iter().all(|e| procs.contains(e))
            {
                sat.push(Sat {
                    fam: *fam,
                    src: Src::Proc,
                    cond: *cond,
                    who: k,
                });
            }
        }
    }
    // MDC from the principal; sex decides between MDC 12 and 13.
    let mut own: Vec<u8> = Vec::new();
    for &m in &mdcs {
        if m != 25 && !own.contains(&m) {
            own.push(m);
        }
    }
    let mut mdc = if own.contains(&12) && own.contains(&13) {
        if claim.sex == Sex::Male { 12 } else { 13 }
    } else if let Some(&m) = own.first() {
        m
    } else if mdcs.contains(&25) {
        25
    } else {
        0
    };
    let base_mdc = mdc;
    let mut path = Vec::new();
    let mut ctx = Ctx {
        t,
        pdx,
        sdx,
        procs,
        sat,
        alive: claim.discharge_status.trim() != "20",
        status: claim.discharge_status.trim().to_string(),
        exempt: opts.poa_exempt,
        mdc,
        hiv_major: false,
        pre_mdc: false,
        mdc_override: None,
    };
    ctx.hiv_major = ctx.has(974, Some(Src::Sdx));
    let has_b20 = ctx.sdx.iter().any(|s| s.code.text() == "B20");
    if pdx_text == "B20" {
        mdc = 25;
    } else if has_b20 && ctx.has(974, Some(Src::Pdx)) {
        mdc = 25;
        ctx.hiv_major = true;
    }
    let mut site_set: Vec<u8> = sites.iter().map(|s| s.1).collect();
    site_set.sort_unstable();
    site_set.dedup();
    let mut site_dx: Vec<usize> = sites.iter().map(|s| s.0).collect();
    site_dx.sort_unstable();
    site_dx.dedup();
    if t24 && site_set.len() >= 2 && site_dx.len() >= 2 {
        mdc = 24;
    }
    ctx.mdc = mdc;
    if mdc == 24 {
        path.push(
            "MDC 24: principal of trauma with significant trauma at two or more body sites".into(),
        );
    } else if mdc == 25 {
        path.push("MDC 25: HIV".into());
    } else {
        path.push(format!("MDC {mdc:02} from the principal diagnosis"));
    }

    let Some((initial, _)) = ctx.choose(false, &mut Vec::new()) else {
        return ungroupable(
            t,
            ReturnCode::InvalidPdx,
            999,
            vec!["no DRG for this principal".into()],
        );
    };
    let hac: Vec<(String, u8)> = ctx
        .sdx
        .iter()
        .filter_map(|s| {
            if !matches!(s.poa, Some('N' | 'U')) {
                return None;
            }
            ctx.hac_met(s).map(|h| (s.code.text(), h))
        })
        .collect();
    if !ctx.exempt
        && ctx
            .sdx
            .iter()
            .any(|s| matches!(s.poa, None | Some('1')) && ctx.hac_met(s).is_some())
    {
        let mut g = ungroupable(t, ReturnCode::HacMissingOnePoa, initial, path);
        g.path
            .push("a HAC-list secondary has no POA indicator (blank or 1): ungroupable".into());
        g.hac = hac;
        return g;
    }
    ctx.pre_mdc = false;
    ctx.mdc_override = None;
    let use_hac = !ctx.exempt;
    let Some((drg, fam)) = ctx.choose(use_hac, &mut path) else {
        return ungroupable(t, ReturnCode::InvalidPdx, initial, path);
    };
    let mut detail = Detail::default();
    ctx.severity(fam, use_hac, Some(&mut detail));
    let mdc = match ctx.mdc_override {
        Some(m) => m,
        None if ctx.pre_mdc && (mdc == 24 || mdc == 25) => base_mdc,
        None => mdc,
    };
    let info = t.drg(drg);
    Grouping {
        version: VERSION,
        drg,
        initial_drg: initial,
        mdc,
        drg_type: match info {
            Some(d) if d.surgical => DrgType::Surgical,
            Some(d) if d.medical => DrgType::Medical,
            _ => DrgType::Ungroupable,
        },
        title: info.map(|d| d.title.clone()).unwrap_or_default(),
        weight: info.map(|d| d.weight).unwrap_or(0.0),
        gmlos: info.map(|d| d.gmlos).unwrap_or(0.0),
        amlos: info.map(|d| d.amlos).unwrap_or(0.0),
        return_code: ReturnCode::Ok,
        cc: detail.cc,
        mcc: detail.mcc,
        excluded: detail.excluded,
        hac: if ctx.exempt { Vec::new() } else { hac },
        path,
    }
}
