//! The TOML shapes of the demo templates in `assets/demo`, and the list of files embedded in the binary.
use crate::domain::{EncounterType, Poa, Role};
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Shared defaults: note skeletons, vitals and other fragments every scenario may use or override.
pub(crate) const COMMON: (&str, &str) = (
    "assets/demo/common.toml",
    include_str!("../../assets/demo/common.toml"),
);

/// Synthetic people: first and last names, physicians by specialty, chartdesk staff.
pub(crate) const PEOPLE: (&str, &str) = (
    "assets/demo/people.toml",
    include_str!("../../assets/demo/people.toml"),
);

macro_rules! scenarios {
    ($($file:literal),+ $(,)?) => {
        /// Every scenario file, as (path in the repository, contents).
        pub(crate) const SCENARIOS: &[(&str, &str)] = &[
            $((concat!("assets/demo/scenarios/", $file),
               include_str!(concat!("../../assets/demo/scenarios/", $file)))),+
        ];
    };
}

scenarios!(
    "acute_hypoxic_resp_failure_aspiration.toml",
    "afib_rvr.toml",
    "alcohol_withdrawal.toml",
    "annual_visit_htn_hld_t2dm.toml",
    "ankle_sprain.toml",
    "appendicitis_lap_appy.toml",
    "asthma_exacerbation.toml",
    "carpal_tunnel_release.toml",
    "cataract_surgery.toml",
    "cellulitis_leg.toml",
    "chest_pain_ruled_out.toml",
    "community_acquired_pneumonia.toml",
    "concussion.toml",
    "copd_exacerbation.toml",
    "covid19_pneumonia.toml",
    "dka_type1.toml",
    "forearm_laceration.toml",
    "gi_bleed_duodenal_ulcer.toml",
    "heart_failure_acute_on_chronic_systolic.toml",
    "heart_failure_unspecified_query.toml",
    "hip_fracture_hemiarthroplasty.toml",
    "hip_fracture_orif.toml",
    "hyponatremia_hypokalemia.toml",
    "lap_cholecystectomy.toml",
    "low_back_pain_sciatica.toml",
    "nstemi.toml",
    "renal_colic.toml",
    "screening_colonoscopy_polypectomy.toml",
    "sepsis_ecoli_uti_aki.toml",
    "sinusitis_office.toml",
    "stroke_left_mca.toml",
    "syncope.toml",
    "t2dm_ckd3a_followup.toml",
    "tia.toml",
    "uti_sepsis_query.toml",
);

/// Which sexes a scenario fits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub(crate) enum SexSpec {
    #[default]
    #[serde(rename = "any")]
    Any,
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "M")]
    Male,
}

/// A number drawn uniformly from `min..=max` in steps, printed with `decimals` places.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NumSpec {
    pub min: f64,
    pub max: f64,
    #[serde(default)]
    pub decimals: u8,
    /// Granularity in the same unit as min/max (e.g. 5 for an ejection fraction); default one last digit.
    #[serde(default)]
    pub step: Option<f64>,
    /// Print 1,240 rather than 1240.
    #[serde(default)]
    pub thousands: bool,
    /// Draw afresh for every note (vitals that change day to day) instead of once per encounter.
    #[serde(default)]
    pub per_note: bool,
}

/// One answer-key diagnosis.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DxSpec {
    pub code: String,
    /// Required when the scenario fits inpatient encounters; dropped for other types.
    #[serde(default)]
    pub poa: Option<Poa>,
}

/// A variation of a scenario (laterality, a score): placeholder values and answer-key code swaps.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct VariantSpec {
    #[serde(default)]
    pub set: BTreeMap<String, String>,
    /// Answer-key code in the scenario's list → the code this variant uses instead.
    #[serde(default)]
    pub replace: BTreeMap<String, String>,
}

/// One stage of the hospital course, rendered as a progress note.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StageSpec {
    pub subjective: String,
    #[serde(default)]
    pub exam: Option<String>,
    pub labs: String,
    pub ap: String,
    /// Vital signs line for this stage (oxygen, fever); defaults to `{{vitals_today}}`.
    #[serde(default)]
    pub vitals: Option<String>,
}

/// A string or a list of strings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(untagged)]
pub(crate) enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn to_vec(&self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// A clinical scenario: who it fits, what a coder should assign, and how its notes read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScenarioSpec {
    pub id: String,
    pub name: String,
    pub encounter_types: Vec<EncounterType>,
    /// Inclusive age range in years at admission.
    pub age: [u32; 2],
    #[serde(default)]
    pub sex: SexSpec,
    /// Relative frequency among the scenarios of an encounter type (default 1).
    #[serde(default)]
    pub weight: Option<f64>,
    /// Specialty of the attending physician (a specialty in people.toml).
    pub attending: String,
    #[serde(default)]
    pub consultant: Option<String>,
    #[serde(default)]
    pub surgeon: Option<String>,
    /// Length of stay in days (discharge − admit); defaults by encounter type.
    #[serde(default)]
    pub los: Option<[u32; 2]>,
    /// Day of the procedure counted from admission (0 = day of admission).
    #[serde(default)]
    pub procedure_day: Option<[u32; 2]>,
    /// Day of the consultation counted from admission (default [0, 1]).
    #[serde(default)]
    pub consult_day: Option<[u32; 2]>,
    /// Total charges in whole dollars; defaults by encounter type.
    #[serde(default)]
    pub charges: Option<[u32; 2]>,
    /// Documentation gaps a CDI specialist would query (rendered with the encounter's values).
    #[serde(default)]
    pub query_opportunity: OneOrMany,
    #[serde(default)]
    pub dx: Vec<DxSpec>,
    #[serde(default)]
    pub pcs: Vec<String>,
    #[serde(default)]
    pub variant: Vec<VariantSpec>,
    #[serde(default)]
    pub num: BTreeMap<String, NumSpec>,
    #[serde(default)]
    pub pick: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub text: BTreeMap<String, String>,
    #[serde(default)]
    pub progress: Vec<StageSpec>,
    /// Whole-note templates by note type; override the common skeletons.
    #[serde(default)]
    pub notes: BTreeMap<String, Vec<String>>,
}

/// common.toml: the fallbacks for every scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommonSpec {
    #[serde(default)]
    pub num: BTreeMap<String, NumSpec>,
    #[serde(default)]
    pub pick: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub text: BTreeMap<String, String>,
    /// Note skeletons by note type (several variants each).
    #[serde(default)]
    pub skeleton: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PhysicianSpec {
    pub name: String,
    pub specialty: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StaffSpec {
    pub login: String,
    pub role: Role,
}

/// people.toml.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PeopleSpec {
    pub hospital: String,
    pub female: Vec<String>,
    pub male: Vec<String>,
    pub last: Vec<String>,
    pub physician: Vec<PhysicianSpec>,
    pub staff: Vec<StaffSpec>,
}

/// Parse one TOML file; errors name the file and carry the parser's line, column and key.
pub(crate) fn parse<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T> {
    toml::from_str(text).with_context(|| {
        format!("demo template {file} is not valid (fix the TOML at the place shown)")
    })
}
