//! MS-DRG grouper (v43.1, FY2026): pure, no I/O. Its tables are an embedded, versioned asset
//! (`assets/drg/v43.1/tables.tsv.gz`, built from public CMS tables and drgpy's data by
//! `scripts/drg/build_assets.py`), read once on first use.
//!
//! The logic follows the CMS Definitions Manual: principal validity (999), pre-MDC, MDC from the
//! principal (sex-dependent ones too), MDC 24 multiple significant trauma, MDC 25 HIV, the surgical
//! hierarchy, unrelated OR procedures (981-983, 987-989), the "any OR procedure" families, CC/MCC
//! with principal-diagnosis (6K) and DRG-specific exclusions, discharged-alive-only CCs, discharge
//! status (expired AMI 283-285, neonate transfers 789, left against advice 894), and the HAC step.
mod logic;
pub mod tables;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;
pub use tables::{DrgInfo, Level, Tables};

/// The grouper version this build carries.
pub const VERSION: &str = "v43.1";
const ASSET: &[u8] = include_bytes!("../../assets/drg/v43.1/tables.tsv.gz");

/// The v43.1 tables, read from the embedded asset on first use.
pub fn tables() -> Result<&'static Tables, String> {
    static TABLES: OnceLock<Result<Tables, String>> = OnceLock::new();
    TABLES
        .get_or_init(|| Tables::from_gz(ASSET))
        .as_ref()
        .map_err(Clone::clone)
}

/// An ICD-10 code packed in a u64 (up to 7 letters/digits, 6 bits each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Code(u64);

impl Code {
    /// Packs a code given with or without dots, any case; `None` if it cannot be a code.
    pub fn new(s: &str) -> Option<Code> {
        let mut v: u64 = 0;
        let mut n = 0;
        for b in s.trim().bytes() {
            let x = match b {
                b'.' => continue,
                b'0'..=b'9' => b - b'0' + 1,
                b'A'..=b'Z' => b - b'A' + 11,
                b'a'..=b'z' => b - b'a' + 11,
                _ => return None,
            };
            n += 1;
            if n > 7 {
                return None;
            }
            v = (v << 6) | u64::from(x);
        }
        (n > 0).then_some(Code(v))
    }

    /// The code without dots, upper case.
    pub fn text(self) -> String {
        let mut out = Vec::with_capacity(7);
        let mut v = self.0;
        while v != 0 {
            let x = (v & 63) as u8;
            out.push(if x <= 10 { b'0' + x - 1 } else { b'A' + x - 11 });
            v >>= 6;
        }
        out.reverse();
        String::from_utf8(out).unwrap_or_default()
    }
}

/// A multiplicative hasher for packed codes (the default SipHash is several times slower here).
#[derive(Default, Clone, Copy)]
pub struct CodeHasher(u64);

impl Hasher for CodeHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n ^ (n >> 29)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

pub(crate) type CodeMap<V> = HashMap<Code, V, BuildHasherDefault<CodeHasher>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
    Unknown,
}

impl Sex {
    /// "M", "F" or "U" (any case).
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim().to_ascii_uppercase().as_str() {
            "M" => Some(Sex::Male),
            "F" => Some(Sex::Female),
            "U" => Some(Sex::Unknown),
            _ => None,
        }
    }
}

/// A secondary diagnosis with its present-on-admission indicator (Y, N, U, W, 1; None = blank).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Secondary {
    pub code: String,
    pub poa: Option<char>,
}

/// One claim to group.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub age: u16,
    pub sex: Sex,
    /// Two-digit UB-04 patient discharge status ("01", "20"...).
    pub discharge_status: String,
    pub pdx: String,
    pub sdx: Vec<Secondary>,
    pub procs: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The hospital is exempt from POA reporting: no HAC step.
    pub poa_exempt: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrgType {
    Medical,
    Surgical,
    /// 998 and 999.
    Ungroupable,
}

impl DrgType {
    pub fn as_str(self) -> &'static str {
        match self {
            DrgType::Medical => "MED",
            DrgType::Surgical => "SURG",
            DrgType::Ungroupable => "",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReturnCode {
    Ok,
    /// The principal is not a valid ICD-10-CM code (header, unknown).
    InvalidPdx,
    /// A valid code that can never be principal (external cause).
    DxCannotBePdx,
    /// A HAC-list secondary whose HAC criteria hold has a blank or "1" POA (hospital not exempt).
    HacMissingOnePoa,
}

impl ReturnCode {
    pub fn as_str(self) -> &'static str {
        match self {
            ReturnCode::Ok => "OK",
            ReturnCode::InvalidPdx => "INVALID_PDX",
            ReturnCode::DxCannotBePdx => "DX_CANNOT_BE_PDX",
            ReturnCode::HacMissingOnePoa => "HAC_MISSING_ONE_POA",
        }
    }
}

/// Why a CC/MCC secondary did not count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExclusionReason {
    /// The principal is in the code's Table 6K exclusion collection.
    PrincipalExclusion,
    /// The DRG family does not count this code (Definitions Manual DRG-specific exclusion).
    DrgSpecific,
    /// Counts only when the patient is discharged alive.
    DischargedAliveOnly,
    /// A HAC-list code not present on admission (N/U) whose HAC criteria hold: lost for the final DRG.
    Hac(u8),
}

impl ExclusionReason {
    pub fn as_str(self) -> String {
        match self {
            ExclusionReason::PrincipalExclusion => {
                "excluded by the principal diagnosis (6K)".into()
            }
            ExclusionReason::DrgSpecific => "not a CC/MCC in this DRG".into(),
            ExclusionReason::DischargedAliveOnly => "counts only if discharged alive".into(),
            ExclusionReason::Hac(n) => format!("HAC {n:02}, not present on admission"),
        }
    }
    pub fn key(self) -> &'static str {
        match self {
            ExclusionReason::PrincipalExclusion => "pdx_exclusion",
            ExclusionReason::DrgSpecific => "drg_specific",
            ExclusionReason::DischargedAliveOnly => "discharged_alive_only",
            ExclusionReason::Hac(_) => "hac",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Excluded {
    pub code: String,
    pub level: Level,
    pub reason: ExclusionReason,
}

/// The grouper's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Grouping {
    pub version: &'static str,
    pub drg: u16,
    pub initial_drg: u16,
    /// 0 for 999 and invalid input.
    pub mdc: u8,
    pub drg_type: DrgType,
    pub title: String,
    /// Table 5 relative weight (10% cap applied).
    pub weight: f64,
    pub gmlos: f64,
    pub amlos: f64,
    pub return_code: ReturnCode,
    /// Secondary codes that counted as CC / MCC for the final DRG.
    pub cc: Vec<String>,
    pub mcc: Vec<String>,
    pub excluded: Vec<Excluded>,
    /// Secondary codes on the HAC list whose HAC criteria held, with their HAC number.
    pub hac: Vec<(String, u8)>,
    /// Path notes: which step decided (pre-MDC, surgical family, medical...).
    pub path: Vec<String>,
}

/// Groups one claim with the given tables.
pub fn group(t: &Tables, claim: &Claim, opts: &Options) -> Grouping {
    logic::group(t, claim, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_pack_and_unpack() {
        for s in ["A419", "0SR90J9", "Z3800", "B20", "S72001A"] {
            let c = Code::new(s).expect("code");
            assert_eq!(c.text(), s);
        }
        assert_eq!(Code::new("a41.9"), Code::new("A419"));
        assert_eq!(Code::new("A41.9XXA1"), None);
        assert_eq!(Code::new("A4-1"), None);
        assert_eq!(Code::new(""), None);
    }

    fn claim(pdx: &str, sdx: &[(&str, Option<char>)], procs: &[&str], status: &str) -> Claim {
        Claim {
            age: 70,
            sex: Sex::Male,
            discharge_status: status.into(),
            pdx: pdx.into(),
            sdx: sdx
                .iter()
                .map(|(c, p)| Secondary {
                    code: (*c).into(),
                    poa: *p,
                })
                .collect(),
            procs: procs.iter().map(|p| (*p).into()).collect(),
        }
    }

    #[test]
    fn sepsis_with_mcc_and_invalid_principal() {
        let t = tables().expect("tables");
        let g = group(
            t,
            &claim(
                "A41.9",
                &[("N17.9", Some('Y')), ("I50.21", Some('Y'))],
                &[],
                "01",
            ),
            &Options::default(),
        );
        assert_eq!(g.drg, 871);
        assert_eq!(g.mdc, 18);
        assert_eq!(g.mcc, vec!["I5021".to_string()]);
        assert_eq!(g.cc, vec!["N179".to_string()]);
        assert!(g.weight > 1.0);
        let g = group(t, &claim("V00.01XA", &[], &[], "01"), &Options::default());
        assert_eq!((g.drg, g.return_code), (999, ReturnCode::DxCannotBePdx));
        let g = group(t, &claim("I21", &[], &[], "01"), &Options::default());
        assert_eq!((g.drg, g.return_code), (999, ReturnCode::InvalidPdx));
    }

    #[test]
    fn expired_ami_and_hac_step() {
        let t = tables().expect("tables");
        let g = group(
            t,
            &claim("I21.4", &[("I50.21", Some('Y'))], &[], "20"),
            &Options::default(),
        );
        assert_eq!(g.drg, 283);
        let alive = group(
            t,
            &claim("I21.4", &[("I50.21", Some('Y'))], &[], "01"),
            &Options::default(),
        );
        assert_eq!(alive.drg, 280);
        // A fall injury not present on admission loses its CC for the final DRG.
        let c = claim("K35.80", &[("S72.001A", Some('N'))], &[], "01");
        let g = group(t, &c, &Options::default());
        assert_eq!((g.initial_drg, g.drg), (393, 395));
        assert_eq!(
            g.excluded.first().map(|e| e.reason),
            Some(ExclusionReason::Hac(5))
        );
        let exempt = group(t, &c, &Options { poa_exempt: true });
        assert_eq!(exempt.drg, 393);
        // Ventilation: more than 96 hours 207, less 208, none the respiratory failure DRG.
        for (procs, drg) in [
            (&["5A1955Z"][..], 207),
            (&["5A1945Z"][..], 208),
            (&[][..], 189),
        ] {
            let g = group(t, &claim("J96.01", &[], procs, "01"), &Options::default());
            assert_eq!(g.drg, drg, "{procs:?}");
        }
        let blank = claim("K35.80", &[("S72.001A", None)], &[], "01");
        let g = group(t, &blank, &Options::default());
        assert_eq!((g.drg, g.return_code), (999, ReturnCode::HacMissingOnePoa));
    }
}
