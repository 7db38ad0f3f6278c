//! Compiles one scenario file against common.toml: resolves every placeholder once (with cycle and
//! unused-definition checks), validates answer-key codes, variants, stages and note coverage.
use super::kinds::{NoteKind, cm_shape_ok, known_kinds, pcs_shape_ok};
use super::library::{NumDef, Scenario, Variant};
use super::spec::{CommonSpec, NumSpec, OneOrMany, ScenarioSpec, StageSpec};
use super::template::{Builtin, RawSeg, Seg, StageField, TplId, split};
use crate::domain::{CodeSystem, EncounterType};
use anyhow::{Context, Result, anyhow, bail, ensure};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A name may live in only one of a file's [num], [pick] and [text] tables.
pub(crate) fn check_tables<A, B, C>(
    file: &str,
    num: &BTreeMap<String, A>,
    pick: &BTreeMap<String, B>,
    text: &BTreeMap<String, C>,
) -> Result<()> {
    for name in num.keys().chain(pick.keys()).chain(text.keys()) {
        let n = num.contains_key(name) as u8
            + pick.contains_key(name) as u8
            + text.contains_key(name) as u8;
        ensure!(
            n == 1,
            "{file}: '{name}' is defined in more than one of [num], [pick], [text]; keep one"
        );
        ensure!(
            Builtin::by_name(name).is_none() && StageField::by_name(name).is_none(),
            "{file}: '{name}' is a built-in placeholder and cannot be redefined"
        );
    }
    Ok(())
}

fn num_def(n: &NumSpec) -> Result<NumDef> {
    ensure!(n.decimals <= 4, "decimals must be 0 to 4");
    ensure!(
        n.min.is_finite() && n.max.is_finite() && n.min <= n.max,
        "min ({}) must not exceed max ({})",
        n.min,
        n.max
    );
    ensure!(
        n.min.abs() < 1e12 && n.max.abs() < 1e12,
        "min and max must be below 1e12"
    );
    let scale = 10f64.powi(i32::from(n.decimals));
    let lo = (n.min * scale).round() as i64;
    let hi = (n.max * scale).round() as i64;
    let step = match n.step {
        Some(s) => {
            ensure!(s.is_finite() && s > 0.0, "step must be positive");
            (s * scale).round() as i64
        }
        None => 1,
    };
    ensure!(step >= 1, "step is finer than the decimals printed");
    Ok(NumDef {
        lo,
        steps: (hi - lo) / step,
        step,
        decimals: n.decimals,
        thousands: n.thousands,
        per_note: n.per_note,
    })
}

/// Resolves placeholders for one scenario, compiling each definition once.
struct Compiler<'a> {
    file: &'a str,
    common_file: &'a str,
    spec: &'a ScenarioSpec,
    common: &'a CommonSpec,
    templates: Vec<Vec<Seg>>,
    nums: Vec<NumDef>,
    picks: Vec<Vec<TplId>>,
    resolved: HashMap<String, Seg>,
    stack: Vec<String>,
    variant_names: Vec<String>,
}

impl Compiler<'_> {
    fn compile(&mut self, src: &str, origin: &str, allow_stage: bool) -> Result<TplId> {
        let raw = split(src).with_context(|| origin.to_string())?;
        let mut segs = Vec::with_capacity(raw.len());
        for r in raw {
            match r {
                RawSeg::Lit(s) => segs.push(Seg::Lit(s.into())),
                RawSeg::Name(n) => segs.push(self.resolve(n, origin, allow_stage)?),
            }
        }
        let id = TplId::try_from(self.templates.len())
            .map_err(|_| anyhow!("{}: too many templates", self.file))?;
        self.templates.push(segs);
        Ok(id)
    }

    fn resolve(&mut self, name: &str, origin: &str, allow_stage: bool) -> Result<Seg> {
        if let Some(b) = Builtin::by_name(name) {
            ensure!(
                b != Builtin::Consultant || self.spec.consultant.is_some(),
                "{origin}: {{{{consultant}}}} needs `consultant = \"<specialty>\"` in {}",
                self.file
            );
            return Ok(Seg::Builtin(b));
        }
        if let Some(f) = StageField::by_name(name) {
            ensure!(
                allow_stage,
                "{origin}: {{{{{name}}}}} can only be used in a Progress Note template"
            );
            ensure!(
                !self.spec.progress.is_empty(),
                "{origin}: {{{{{name}}}}} needs [[progress]] stages in {}",
                self.file
            );
            return Ok(Seg::Stage(f));
        }
        if let Some(i) = self.variant_names.iter().position(|v| v == name) {
            return Ok(Seg::Variant(i as u16));
        }
        if let Some(s) = self.resolved.get(name) {
            return Ok(s.clone());
        }
        if self.stack.iter().any(|s| s == name) {
            bail!(
                "{origin}: placeholders refer to each other in a cycle: {} -> {name}",
                self.stack.join(" -> ")
            );
        }
        self.stack.push(name.to_string());
        let seg = self.define(name, origin);
        self.stack.pop();
        let seg = seg?;
        self.resolved.insert(name.to_string(), seg.clone());
        Ok(seg)
    }

    fn define(&mut self, name: &str, origin: &str) -> Result<Seg> {
        let s = self.spec;
        let c = self.common;
        let in_scenario =
            s.num.contains_key(name) || s.pick.contains_key(name) || s.text.contains_key(name);
        let (file, num, pick, text) = if in_scenario {
            (self.file, &s.num, &s.pick, &s.text)
        } else {
            (self.common_file, &c.num, &c.pick, &c.text)
        };
        if let Some(n) = num.get(name) {
            let d = num_def(n).with_context(|| format!("{file}: num.{name}"))?;
            self.nums.push(d);
            return Ok(Seg::Num((self.nums.len() - 1) as u16));
        }
        if let Some(options) = pick.get(name) {
            ensure!(!options.is_empty(), "{file}: pick.{name} has no options");
            let mut ids = Vec::with_capacity(options.len());
            for (i, o) in options.iter().enumerate() {
                ids.push(self.compile(o, &format!("{file}: pick.{name}[{i}]"), false)?);
            }
            self.picks.push(ids);
            return Ok(Seg::Pick((self.picks.len() - 1) as u16));
        }
        if let Some(t) = text.get(name) {
            let id = self.compile(t, &format!("{file}: text.{name}"), false)?;
            return Ok(Seg::Text(id));
        }
        bail!(
            "{origin}: unknown placeholder {{{{{name}}}}}; define it under [num], [pick] or [text] in {} or {}",
            self.file,
            self.common_file
        )
    }
}

pub(crate) fn compile_scenario(
    file: &str,
    s: &ScenarioSpec,
    common_file: &str,
    common: &CommonSpec,
) -> Result<Scenario> {
    let ctx = |what: &str| format!("{file}: {what}");
    ensure!(!s.id.trim().is_empty(), "{}", ctx("id is empty"));
    ensure!(
        !s.encounter_types.is_empty(),
        "{}",
        ctx("encounter_types is empty")
    );
    let [amin, amax] = s.age;
    ensure!(
        amin <= amax && amax <= 110,
        "{}",
        ctx("age must be [min, max] with min <= max <= 110")
    );
    let weight = s.weight.unwrap_or(1.0);
    ensure!(
        weight.is_finite() && weight > 0.0,
        "{}",
        ctx("weight must be a positive number")
    );
    check_tables(file, &s.num, &s.pick, &s.text)?;
    let inpatient = s.encounter_types.contains(&EncounterType::Inpatient);
    let los = match s.los {
        Some([a, b]) => {
            ensure!(
                inpatient,
                "{}",
                ctx("los applies to inpatient stays only; remove it")
            );
            ensure!(
                2 <= a && a <= b && b <= 9,
                "{}",
                ctx("los must be [min, max] within 2..=9 days")
            );
            (a, b)
        }
        None => (2, 6),
    };

    // Answer key and variants.
    let mut codes = Vec::new();
    for (i, d) in s.dx.iter().enumerate() {
        ensure!(
            cm_shape_ok(&d.code),
            "{}",
            ctx(&format!(
                "dx[{i}].code '{}' is not a dotted ICD-10-CM code",
                d.code
            ))
        );
        ensure!(
            d.poa.is_some() == inpatient,
            "{}",
            ctx(&format!(
                "dx[{i}] ({}): give poa exactly when the scenario fits inpatient encounters",
                d.code
            ))
        );
        codes.push((CodeSystem::Icd10Cm, d.code.clone(), d.poa));
    }
    ensure!(!codes.is_empty(), "{}", ctx("dx is empty"));
    for (i, p) in s.pcs.iter().enumerate() {
        ensure!(
            pcs_shape_ok(p),
            "{}",
            ctx(&format!(
                "pcs[{i}] '{p}' is not a 7-character ICD-10-PCS code"
            ))
        );
        codes.push((CodeSystem::Icd10Pcs, p.clone(), None));
    }
    let variant_names: Vec<String> = s
        .variant
        .first()
        .map(|v| v.set.keys().cloned().collect())
        .unwrap_or_default();
    for name in &variant_names {
        ensure!(
            Builtin::by_name(name).is_none()
                && !s.num.contains_key(name)
                && !s.pick.contains_key(name)
                && !s.text.contains_key(name),
            "{}",
            ctx(&format!(
                "variant value '{name}' clashes with a built-in or a [num]/[pick]/[text] name"
            ))
        );
    }
    let mut c = Compiler {
        file,
        common_file,
        spec: s,
        common,
        templates: Vec::new(),
        nums: Vec::new(),
        picks: Vec::new(),
        resolved: HashMap::new(),
        stack: Vec::new(),
        variant_names: variant_names.clone(),
    };
    let mut variants = Vec::new();
    for (vi, v) in s.variant.iter().enumerate() {
        let keys: Vec<String> = v.set.keys().cloned().collect();
        ensure!(
            keys == variant_names,
            "{}",
            ctx(&format!(
                "variant[{vi}] sets {keys:?} but variant[0] sets {variant_names:?}; every variant must set the same names"
            ))
        );
        let mut set = Vec::new();
        for (k, val) in &v.set {
            set.push(c.compile(val, &ctx(&format!("variant[{vi}].set.{k}")), false)?);
        }
        let mut vcodes = codes.clone();
        for (from, to) in &v.replace {
            let Some(slot) = vcodes.iter_mut().find(|(_, code, _)| code == from) else {
                bail!(
                    "{}",
                    ctx(&format!(
                        "variant[{vi}].replace: '{from}' is not in this scenario's dx or pcs"
                    ))
                );
            };
            let ok = match slot.0 {
                CodeSystem::Icd10Pcs => pcs_shape_ok(to),
                _ => cm_shape_ok(to),
            };
            ensure!(
                ok,
                "{}",
                ctx(&format!(
                    "variant[{vi}].replace: '{to}' is not a valid {} code shape",
                    slot.0
                ))
            );
            slot.1 = to.clone();
        }
        variants.push((set, vcodes));
    }
    if variants.is_empty() {
        variants.push((Vec::new(), codes));
    }

    // Progress-note stages.
    let needs_progress = s.encounter_types.iter().any(|t| {
        NoteKind::required(*t).contains(&NoteKind::Progress)
            || NoteKind::optional(*t).contains(&NoteKind::Progress)
    });
    ensure!(
        needs_progress || s.progress.is_empty(),
        "{}",
        ctx(
            "[[progress]] stages are given but no encounter type of this scenario has progress notes"
        )
    );
    let mut stages = Vec::new();
    for (i, st) in s.progress.iter().enumerate() {
        stages.push(compile_stage(&mut c, st, &ctx(&format!("progress[{i}]")))?);
    }

    // Notes by kind.
    let mut wanted: BTreeSet<NoteKind> = BTreeSet::new();
    let mut allowed: BTreeSet<NoteKind> = BTreeSet::new();
    for t in &s.encounter_types {
        wanted.extend(NoteKind::required(*t));
        allowed.extend(NoteKind::required(*t));
        allowed.extend(NoteKind::optional(*t));
    }
    for key in s.notes.keys() {
        let Some(kind) = NoteKind::by_key(key) else {
            bail!(
                "{}",
                ctx(&format!(
                    "notes.\"{key}\" is not a note type; use one of: {}",
                    known_kinds()
                ))
            );
        };
        ensure!(
            allowed.contains(&kind),
            "{}",
            ctx(&format!(
                "notes.\"{key}\" is not written for this scenario's encounter types"
            ))
        );
        wanted.insert(kind);
    }
    if s.encounter_types.contains(&EncounterType::Outpatient) {
        ensure!(
            wanted.contains(&NoteKind::Operative) || wanted.contains(&NoteKind::Procedure),
            "{}",
            ctx("outpatient scenarios need notes.\"Operative Report\" or notes.\"Procedure Note\"")
        );
    }
    let mut notes: [Vec<TplId>; NoteKind::COUNT] = Default::default();
    for kind in wanted {
        let allow_stage = kind == NoteKind::Progress;
        let (sources, origin) = match s.notes.get(kind.key()) {
            Some(v) => (v, format!("{file}: notes.\"{}\"", kind.key())),
            None => match common.skeleton.get(kind.key()) {
                Some(v) => (
                    v,
                    format!("{common_file}: skeleton.\"{}\" (for {file})", kind.key()),
                ),
                None => bail!(
                    "{}",
                    ctx(&format!(
                        "needs notes.\"{}\" (no skeleton for it in {common_file})",
                        kind.key()
                    ))
                ),
            },
        };
        ensure!(!sources.is_empty(), "{origin} has no templates");
        for (i, src) in sources.iter().enumerate() {
            let id = c.compile(src, &format!("{origin}[{i}]"), allow_stage)?;
            notes[kind as usize].push(id);
        }
    }
    if notes[NoteKind::Progress as usize].is_empty() {
        // no progress notes: stages were rejected above
    } else {
        ensure!(
            !stages.is_empty() || s.notes.contains_key(NoteKind::Progress.key()),
            "{}",
            ctx("progress notes need [[progress]] stages")
        );
    }
    let procedural = !notes[NoteKind::Operative as usize].is_empty()
        || !notes[NoteKind::Procedure as usize].is_empty();
    let procedure_day = match s.procedure_day {
        Some([a, b]) => {
            ensure!(
                procedural,
                "{}",
                ctx("procedure_day is given but the scenario has no operative or procedure note")
            );
            ensure!(
                a <= b && (!inpatient || b < los.0),
                "{}",
                ctx("procedure_day must be [min, max] with max before the shortest stay ends")
            );
            (a, b)
        }
        None => (0, 0),
    };
    let consult_day = match s.consult_day {
        Some([a, b]) => {
            ensure!(
                !notes[NoteKind::Consultation as usize].is_empty(),
                "{}",
                ctx("consult_day is given but the scenario has no Consultation note")
            );
            ensure!(
                a <= b && (!inpatient || b <= los.0),
                "{}",
                ctx("consult_day must be [min, max] with max within the shortest stay")
            );
            (a, b)
        }
        None => (0, 1),
    };
    let mut queries = Vec::new();
    for (i, q) in s.query_opportunity.to_vec().iter().enumerate() {
        queries.push(c.compile(q, &ctx(&format!("query_opportunity[{i}]")), false)?);
    }
    if let OneOrMany::Many(v) = &s.query_opportunity {
        ensure!(
            !v.is_empty(),
            "{}",
            ctx("query_opportunity is an empty list")
        );
    }

    // Every definition in the scenario file must be used somewhere.
    for name in s.num.keys().chain(s.pick.keys()).chain(s.text.keys()) {
        ensure!(
            c.resolved.contains_key(name),
            "{}",
            ctx(&format!(
                "'{name}' is defined but no template of this scenario uses it (remove it or use {{{{{name}}}}})"
            ))
        );
    }
    if let Some(charges) = s.charges {
        ensure!(
            charges[0] <= charges[1] && charges[0] > 0,
            "{}",
            ctx("charges must be [min, max] dollars with 0 < min <= max")
        );
    }

    Ok(Scenario {
        file: file.to_string(),
        id: s.id.clone(),
        name: s.name.clone(),
        types: s.encounter_types.clone(),
        age: (amin, amax),
        sex: s.sex,
        weight,
        attending: s.attending.clone(),
        consultant: s.consultant.clone(),
        surgeon: s.surgeon.clone(),
        los,
        procedure_day,
        consult_day,
        charges_dollars: s.charges.map(|[a, b]| (a, b)),
        variants: variants
            .into_iter()
            .map(|(set, codes)| Variant { set, codes })
            .collect(),
        templates: c.templates,
        nums: c.nums,
        picks: c.picks,
        stages,
        notes,
        queries,
    })
}

fn compile_stage(c: &mut Compiler<'_>, st: &StageSpec, origin: &str) -> Result<[TplId; 5]> {
    let exam = st.exam.as_deref().unwrap_or("{{pn_exam_default}}");
    let vitals = st.vitals.as_deref().unwrap_or("{{vitals_today}}");
    Ok([
        c.compile(&st.subjective, &format!("{origin}.subjective"), false)?,
        c.compile(exam, &format!("{origin}.exam"), false)?,
        c.compile(&st.labs, &format!("{origin}.labs"), false)?,
        c.compile(&st.ap, &format!("{origin}.ap"), false)?,
        c.compile(vitals, &format!("{origin}.vitals"), false)?,
    ])
}
