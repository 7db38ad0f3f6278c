//! `chartdesk group` (MS-DRG v43.1 for one claim, an encounter, or a JSON-lines file of claims)
//! and `chartdesk bench group`.
use crate::grouper::{self, Claim, Grouping, Options, Secondary, Sex, Tables};
use crate::service::{Service, ServiceError};
use anyhow::{Context, Result};
use clap::{ArgGroup, Args};
use rand::{RngExt, SeedableRng};
use serde::Deserialize;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("input").required(true).args(["pdx", "encounter", "cases"])))]
pub struct GroupArgs {
    /// Principal diagnosis (ICD-10-CM, with or without the dot); needs --age, --sex, --discharge.
    #[arg(long, value_name = "CODE", requires_all = ["age", "sex", "discharge"])]
    pub pdx: Option<String>,
    /// A secondary diagnosis with its POA indicator (Y, N, U, W or 1; none = blank); repeat.
    #[arg(long, value_name = "CODE[:POA]", value_parser = parse_sdx)]
    pub sdx: Vec<Secondary>,
    /// An ICD-10-PCS procedure code; repeat.
    #[arg(long = "proc", value_name = "CODE")]
    pub procs: Vec<String>,
    /// Age in years at admission.
    #[arg(long, value_name = "N")]
    pub age: Option<u16>,
    /// F, M or U.
    #[arg(long, value_name = "F|M|U", value_parser = parse_sex)]
    pub sex: Option<Sex>,
    /// Two-digit patient discharge status (01 home, 02 acute transfer, 07 against advice, 20 expired...).
    #[arg(long, value_name = "NN", value_parser = parse_status)]
    pub discharge: Option<String>,
    /// Group an encounter's assigned codes (age and sex from the patient).
    #[arg(long, value_name = "ACCOUNT")]
    pub encounter: Option<String>,
    /// A JSON-lines file of claims, one a line: {"id","age","sex","discharge_status","pdx","sdx":[{"code","poa"}],"procs":[...]}.
    #[arg(long, value_name = "FILE")]
    pub cases: Option<PathBuf>,
    /// With --encounter: the DRG the encounter would give with this code added (a diagnosis with
    /// an optional POA, or a procedure), without assigning it.
    #[arg(long, value_name = "CODE[:POA]", requires = "encounter")]
    pub what_if: Option<String>,
    /// With --what-if: try the diagnosis as the principal (the principal becomes a secondary).
    #[arg(long, requires = "what_if")]
    pub as_principal: bool,
    /// With --encounter: the DRG each assigned diagnosis would give as principal (information
    /// only: sequencing follows the guidelines, not the weight).
    #[arg(long, requires = "encounter", conflicts_with = "what_if")]
    pub alternatives: bool,
    /// The hospital is POA-exempt: no HAC step (default: grouper.poa_exempt in the config).
    #[arg(long)]
    pub poa_exempt: bool,
    /// One JSON object per claim.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BenchGroupArgs {
    /// Claims to group (generated 25-code claims from the tables, fixed seed).
    #[arg(long, default_value_t = 5000)]
    pub claims: usize,
    /// Or group the claims of a JSON-lines file (as `group --cases`).
    #[arg(long, value_name = "FILE")]
    pub cases: Option<PathBuf>,
    /// Times each claim is grouped.
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
}

fn parse_sex(s: &str) -> Result<Sex, String> {
    Sex::parse(s).ok_or_else(|| format!("'{s}' is not a sex: use F, M or U"))
}

fn parse_status(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit()) {
        Ok(t.to_string())
    } else {
        Err(format!(
            "'{s}' is not a two-digit discharge status (e.g. 01, 20)"
        ))
    }
}

fn parse_poa(p: &str) -> Result<Option<char>, String> {
    match p.trim().to_ascii_uppercase().as_str() {
        "" => Ok(None),
        x @ ("Y" | "N" | "U" | "W" | "1") => Ok(x.chars().next()),
        other => Err(format!(
            "'{other}' is not a POA indicator: use Y, N, U, W or 1"
        )),
    }
}

fn parse_sdx(s: &str) -> Result<Secondary, String> {
    let (code, poa) = s.split_once(':').unwrap_or((s, ""));
    if code.trim().is_empty() {
        return Err(format!("'{s}' names no code"));
    }
    Ok(Secondary {
        code: code.trim().to_string(),
        poa: parse_poa(poa)?,
    })
}

/// Text for a terminal: control characters become '?'.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

fn load_tables() -> Result<&'static Tables> {
    grouper::tables().map_err(|m| anyhow::anyhow!("MS-DRG grouper: {m}"))
}

/// One claim of a `--cases` file. Unknown fields are ignored.
#[derive(Debug, Deserialize)]
struct CaseLine {
    #[serde(default)]
    id: Option<serde_json::Value>,
    age: u16,
    sex: String,
    discharge_status: serde_json::Value,
    pdx: String,
    #[serde(default)]
    sdx: Vec<CaseSdx>,
    #[serde(default)]
    procs: Vec<String>,
    #[serde(default)]
    poa_exempt: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum CaseSdx {
    Code(String),
    Full {
        code: String,
        #[serde(default)]
        poa: Option<String>,
    },
}

fn case_claim(line: &str) -> Result<(String, Claim, Option<bool>), String> {
    let c: CaseLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let sex = parse_sex(&c.sex)?;
    let status = match &c.discharge_status {
        serde_json::Value::String(s) => parse_status(s)?,
        serde_json::Value::Number(n) => parse_status(&format!("{:02}", n.as_u64().unwrap_or(100)))?,
        other => {
            return Err(format!(
                "discharge_status {other} is not a two-digit status"
            ));
        }
    };
    let mut sdx = Vec::with_capacity(c.sdx.len());
    for s in c.sdx {
        sdx.push(match s {
            CaseSdx::Code(code) => parse_sdx(&code)?,
            CaseSdx::Full { code, poa } => Secondary {
                code,
                poa: parse_poa(poa.as_deref().unwrap_or(""))?,
            },
        });
    }
    let id = match c.id {
        Some(serde_json::Value::String(s)) => s,
        Some(v) => v.to_string(),
        None => String::new(),
    };
    Ok((
        id,
        Claim {
            age: c.age,
            sex,
            discharge_status: status,
            pdx: c.pdx,
            sdx,
            procs: c.procs,
        },
        c.poa_exempt,
    ))
}

/// The JSON object `--json` prints for a claim.
pub fn json_value(id: Option<&str>, g: &Grouping) -> serde_json::Value {
    let mut v = serde_json::json!({
        "drg": format!("{:03}", g.drg),
        "mdc": g.mdc,
        "type": g.drg_type.as_str(),
        "title": g.title,
        "weight": g.weight,
        "gmlos": g.gmlos,
        "amlos": g.amlos,
        "initial_drg": format!("{:03}", g.initial_drg),
        "return_code": g.return_code.as_str(),
        "cc": g.cc,
        "mcc": g.mcc,
        "excluded": g.excluded.iter().map(|e| serde_json::json!({
            "code": e.code,
            "level": if e.level == grouper::Level::Mcc { "MCC" } else { "CC" },
            "reason": e.reason.key(),
            "why": e.reason.as_str(),
        })).collect::<Vec<_>>(),
        "hac": g.hac.iter().map(|(c, n)| serde_json::json!({"code": c, "hac": n})).collect::<Vec<_>>(),
        "grouper": g.version,
    });
    if let (Some(id), Some(o)) = (id, v.as_object_mut()) {
        o.insert("id".into(), serde_json::Value::String(id.to_string()));
    }
    v
}

fn print_one<W: Write>(out: &mut W, g: &Grouping, notes: &[String]) -> Result<()> {
    writeln!(
        out,
        "MS-DRG {}  DRG {:03}  {}",
        g.version,
        g.drg,
        clean(&g.title)
    )?;
    writeln!(
        out,
        "MDC {:02}  {}  weight {:.4}  GMLOS {:.1}  AMLOS {:.1}  return code {}",
        g.mdc,
        if g.drg_type.as_str().is_empty() {
            "-"
        } else {
            g.drg_type.as_str()
        },
        g.weight,
        g.gmlos,
        g.amlos,
        g.return_code.as_str()
    )?;
    if g.initial_drg != g.drg {
        writeln!(
            out,
            "initial DRG {:03} (before the HAC step)",
            g.initial_drg
        )?;
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            clean(&v.join(", "))
        }
    };
    writeln!(out, "MCC: {}", list(&g.mcc))?;
    writeln!(out, "CC:  {}", list(&g.cc))?;
    for e in &g.excluded {
        let lvl = if e.level == grouper::Level::Mcc {
            "MCC"
        } else {
            "CC"
        };
        writeln!(
            out,
            "not counted: {} ({lvl}): {}",
            clean(&e.code),
            e.reason.as_str()
        )?;
    }
    for (c, n) in &g.hac {
        writeln!(out, "HAC {n:02}: {} not present on admission", clean(c))?;
    }
    for p in &g.path {
        writeln!(out, "  {}", clean(p))?;
    }
    for n in notes {
        writeln!(out, "note: {}", clean(n))?;
    }
    Ok(())
}

fn options(args: &GroupArgs, config_exempt: bool) -> Options {
    Options {
        poa_exempt: args.poa_exempt || config_exempt,
    }
}

/// `group --pdx` and `group --cases`: no database needed.
pub fn run_offline<W: Write>(
    args: &GroupArgs,
    config_exempt: bool,
    out: &mut W,
) -> Result<ExitCode> {
    let t = load_tables()?;
    let opts = options(args, config_exempt);
    if let Some(file) = &args.cases {
        return run_cases(t, file, &opts, args.json, out);
    }
    let (Some(pdx), Some(age), Some(sex), Some(status)) =
        (&args.pdx, args.age, args.sex, &args.discharge)
    else {
        return Err(ServiceError::Invalid(
            "group --pdx needs --age, --sex and --discharge (e.g. --age 74 --sex M --discharge 01)"
                .into(),
        )
        .into());
    };
    let claim = Claim {
        age,
        sex,
        discharge_status: status.clone(),
        pdx: pdx.clone(),
        sdx: args.sdx.clone(),
        procs: args.procs.clone(),
    };
    let g = grouper::group(t, &claim, &opts);
    if args.json {
        writeln!(out, "{}", json_value(None, &g))?;
    } else {
        print_one(out, &g, &[])?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `group --encounter ACCOUNT`.
pub fn run_encounter<W: Write>(
    svc: &Service,
    args: &GroupArgs,
    config_exempt: bool,
    out: &mut W,
) -> Result<ExitCode> {
    let account = args.encounter.as_deref().unwrap_or("");
    if let Some(code) = &args.what_if {
        return what_if(svc, account, code, args.as_principal, args.json, out);
    }
    if args.alternatives {
        return alternatives(svc, account, args.json, out);
    }
    let r = svc.group_encounter(account, &options(args, config_exempt))?;
    if args.json {
        let mut v = json_value(Some(&r.account), &r.grouping);
        if let Some(o) = v.as_object_mut() {
            o.insert("notes".into(), serde_json::json!(r.notes));
        }
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "encounter {}", clean(&r.account))?;
        print_one(out, &r.grouping, &r.notes)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn short(g: &Grouping) -> String {
    format!(
        "DRG {:03} {} (weight {:.4}, MDC {:02} {})",
        g.drg,
        clean(&g.title),
        g.weight,
        g.mdc,
        g.drg_type.as_str()
    )
}

/// `group --encounter A --what-if CODE[:POA] [--as-principal]`.
fn what_if<W: Write>(
    svc: &Service,
    account: &str,
    code: &str,
    as_principal: bool,
    json: bool,
    out: &mut W,
) -> Result<ExitCode> {
    let w = svc.what_if(account, code, as_principal)?;
    if json {
        let v = serde_json::json!({
            "account": account,
            "code": w.code,
            "procedure": w.is_procedure,
            "as_principal": w.as_principal,
            "poa": w.poa.map(String::from),
            "before": json_value(None, &w.before),
            "after": json_value(None, &w.after),
            "weight_change": w.weight_change(),
            "notes": w.notes,
        });
        writeln!(out, "{v}")?;
        return Ok(ExitCode::SUCCESS);
    }
    let how = if w.is_procedure {
        "procedure".to_string()
    } else if w.as_principal {
        "as principal".to_string()
    } else {
        format!("secondary, POA {}", w.poa.unwrap_or('Y'))
    };
    writeln!(
        out,
        "what if {} ({how}) on encounter {} (not assigned):",
        clean(&w.code),
        clean(account)
    )?;
    writeln!(out, "  now:  {}", short(&w.before))?;
    writeln!(out, "  with: {}", short(&w.after))?;
    writeln!(out, "  weight change {:+.4}", w.weight_change())?;
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            clean(&v.join(", "))
        }
    };
    writeln!(
        out,
        "  with: MCC {}; CC {}",
        list(&w.after.mcc),
        list(&w.after.cc)
    )?;
    for e in &w.after.excluded {
        writeln!(
            out,
            "  with: not counted {}: {}",
            clean(&e.code),
            e.reason.as_str()
        )?;
    }
    for n in &w.notes {
        writeln!(out, "note: {}", clean(n))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `group --encounter A --alternatives`.
fn alternatives<W: Write>(
    svc: &Service,
    account: &str,
    json: bool,
    out: &mut W,
) -> Result<ExitCode> {
    let alts = svc.drg_alternatives(account)?;
    if json {
        for a in &alts {
            let mut v = json_value(Some(&a.code), &a.grouping);
            if let Some(o) = v.as_object_mut() {
                o.insert("current".into(), serde_json::Value::Bool(a.current));
            }
            writeln!(out, "{v}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "encounter {}: the DRG each diagnosis would give as principal (information only: \
         sequencing follows the guidelines, not the weight)",
        clean(account)
    )?;
    writeln!(
        out,
        "  {:<9} {:>3} {:>8}  TITLE",
        "PRINCIPAL", "DRG", "WEIGHT"
    )?;
    for a in &alts {
        writeln!(
            out,
            "{} {:<9} {:03} {:>8.4}  {}{}",
            if a.current { "*" } else { " " },
            clean(&a.code),
            a.grouping.drg,
            a.grouping.weight,
            clean(&a.grouping.title),
            if a.current {
                "  (current principal)"
            } else {
                ""
            }
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

fn run_cases<W: Write>(
    t: &Tables,
    file: &Path,
    opts: &Options,
    json: bool,
    out: &mut W,
) -> Result<ExitCode> {
    let f = std::fs::File::open(file)
        .with_context(|| format!("cannot open the cases file {}", file.display()))?;
    let mut bad = 0usize;
    if !json {
        writeln!(
            out,
            "{:<14} {:>3} {:>3} {:<4} {:>8} {:<20} TITLE",
            "ID", "DRG", "MDC", "TYPE", "WEIGHT", "RETURN"
        )?;
    }
    for (i, line) in std::io::BufReader::new(f).lines().enumerate() {
        let n = i + 1;
        let line = line.with_context(|| format!("{}: line {n}: cannot read", file.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let (id, claim, exempt) = match case_claim(&line) {
            Ok(x) => x,
            Err(e) => {
                bad += 1;
                eprintln!(
                    "{}: line {n}: {}",
                    clean(&file.display().to_string()),
                    clean(&e)
                );
                continue;
            }
        };
        let o = Options {
            poa_exempt: exempt.unwrap_or(opts.poa_exempt),
        };
        let g = grouper::group(t, &claim, &o);
        if json {
            writeln!(out, "{}", json_value(Some(&id), &g))?;
        } else {
            writeln!(
                out,
                "{:<14} {:03} {:>3} {:<4} {:>8.4} {:<20} {}",
                clean(&id),
                g.drg,
                g.mdc,
                g.drg_type.as_str(),
                g.weight,
                g.return_code.as_str(),
                clean(&g.title)
            )?;
        }
    }
    if bad > 0 {
        eprintln!("{bad} line(s) could not be read; the others were grouped");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Generated claims: a principal, 20 secondaries (half CC/MCC) and 4 procedures, fixed seed.
fn generated(t: &Tables, n: usize) -> Vec<Claim> {
    let mut dx: Vec<(grouper::Code, bool)> =
        t.dx.iter()
            .filter(|(_, d)| !d.roles.is_empty())
            .map(|(c, d)| (*c, d.level != grouper::Level::None))
            .collect();
    dx.sort_unstable();
    let cc: Vec<grouper::Code> = dx.iter().filter(|x| x.1).map(|x| x.0).collect();
    let mut pr: Vec<grouper::Code> = t.pr.keys().copied().collect();
    pr.sort_unstable();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(431);
    let mut pick = |v: &[grouper::Code]| v[rng.random_range(0..v.len())].text();
    (0..n)
        .map(|_| Claim {
            age: 65,
            sex: Sex::Female,
            discharge_status: "01".into(),
            pdx: pick(&dx.iter().map(|x| x.0).collect::<Vec<_>>()),
            sdx: (0..20)
                .map(|i| Secondary {
                    code: if i % 2 == 0 {
                        pick(&cc)
                    } else {
                        pick(&cc[..cc.len() / 2])
                    },
                    poa: Some('Y'),
                })
                .collect(),
            procs: (0..4).map(|_| pick(&pr)).collect(),
        })
        .collect()
}

/// `chartdesk bench group`: load time, claims per second, p50/p99 per claim.
pub fn bench<W: Write>(args: &BenchGroupArgs, out: &mut W) -> Result<()> {
    let start = Instant::now();
    let t = load_tables()?;
    let load = start.elapsed();
    let claims: Vec<Claim> = match &args.cases {
        Some(file) => {
            let text = std::fs::read_to_string(file)
                .with_context(|| format!("cannot read the cases file {}", file.display()))?;
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .filter_map(|l| case_claim(l).ok().map(|c| c.1))
                .collect()
        }
        None => generated(t, args.claims.max(1)),
    };
    if claims.is_empty() {
        return Err(ServiceError::Invalid("no claims to group".into()).into());
    }
    let opts = Options::default();
    let mut times = Vec::with_capacity(claims.len() * args.rounds.max(1));
    let mut checksum = 0u64;
    let all = Instant::now();
    for _ in 0..args.rounds.max(1) {
        for c in &claims {
            let s = Instant::now();
            let g = grouper::group(t, c, &opts);
            times.push(s.elapsed());
            checksum = checksum.wrapping_add(u64::from(g.drg));
        }
    }
    let total = all.elapsed();
    times.sort_unstable();
    let codes: usize = claims.iter().map(|c| 1 + c.sdx.len() + c.procs.len()).sum();
    writeln!(out, "MS-DRG {} grouper benchmark", t.version)?;
    writeln!(
        out,
        "table load (first use):   {:.1} ms",
        load.as_secs_f64() * 1e3
    )?;
    writeln!(
        out,
        "claims:                   {} ({:.1} codes each) x {} rounds",
        claims.len(),
        codes as f64 / claims.len() as f64,
        args.rounds.max(1)
    )?;
    writeln!(
        out,
        "claims per second:        {:.0}",
        times.len() as f64 / total.as_secs_f64().max(1e-9)
    )?;
    writeln!(
        out,
        "per claim p50:            {:.1} µs",
        percentile(&times, 0.50).as_secs_f64() * 1e6
    )?;
    writeln!(
        out,
        "per claim p99:            {:.1} µs",
        percentile(&times, 0.99).as_secs_f64() * 1e6
    )?;
    writeln!(out, "(checksum {checksum})")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_secondaries_and_case_lines() {
        let s = parse_sdx("N17.9:y").unwrap();
        assert_eq!((s.code.as_str(), s.poa), ("N17.9", Some('Y')));
        assert_eq!(parse_sdx("E11.9").unwrap().poa, None);
        assert!(parse_sdx("E11.9:X").is_err());
        assert!(parse_status("1").is_err());
        let (id, c, _) = case_claim(
            r#"{"id":"c1","age":74,"sex":"M","discharge_status":"01","pdx":"A41.9","sdx":[{"code":"N17.9","poa":"Y"}],"procs":["0SR90J9"],"extra":1}"#,
        )
        .unwrap();
        assert_eq!((id.as_str(), c.age, c.procs.len()), ("c1", 74, 1));
        assert!(case_claim(r#"{"id":"c2","age":74}"#).is_err());
        assert!(
            case_claim(r#"{"id":"c3","age":74,"sex":"Q","discharge_status":"01","pdx":"A41.9"}"#)
                .is_err()
        );
    }

    #[test]
    fn cases_file_groups_good_lines_and_reports_bad_ones() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cases.jsonl");
        std::fs::write(
            &p,
            "{\"id\":\"c1\",\"age\":74,\"sex\":\"M\",\"discharge_status\":\"01\",\"pdx\":\"A41.9\",\"sdx\":[{\"code\":\"N17.9\",\"poa\":\"Y\"}],\"procs\":[\"0SR90J9\"]}\nnot json\n{\"id\":\"c3\",\"age\":60,\"sex\":\"F\",\"discharge_status\":\"20\",\"pdx\":\"I21.4\",\"sdx\":[],\"procs\":[]}\n",
        )
        .unwrap();
        let t = load_tables().unwrap();
        let mut out = Vec::new();
        let code = run_cases(t, &p, &Options::default(), true, &mut out).unwrap();
        assert_eq!(code, ExitCode::from(1));
        let lines: Vec<serde_json::Value> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["id"], "c1");
        assert_eq!(lines[1]["drg"], "285");
        assert!(lines[0]["drg"].as_str().unwrap().len() == 3);
    }
}
