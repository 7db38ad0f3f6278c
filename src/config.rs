//! Configuration: embedded defaults, overlaid by the user's TOML file. Unknown keys are errors that
//! name the key and the file.
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The defaults, documented key by key in `config.example.toml` (kept identical by a test).
pub const EXAMPLE: &str = include_str!("../config.example.toml");

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Data directory; empty means the platform default. `--data-dir` and CHARTDESK_DATA_DIR win.
    pub data_dir: Option<PathBuf>,
    pub ui: UiConfig,
    pub search: SearchConfig,
    pub demo: DemoConfig,
    pub standards: StandardsConfig,
    pub queries: QueriesConfig,
    pub import: ImportConfig,
    pub audit: AuditConfig,
    pub security: SecurityConfig,
    pub grouper: GrouperConfig,
    pub claims: ClaimsConfig,
}

/// Claims on encounters (issue 11): a claim is a lease its workstation renews while the encounter
/// is open, so a claim whose session died can be taken over by another coder.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimsConfig {
    /// Minutes a claim stays held without its workstation renewing it; 0: claims never expire.
    pub lease_minutes: u64,
}

impl Default for ClaimsConfig {
    fn default() -> Self {
        Self { lease_minutes: 30 }
    }
}

/// Imports of notes and FHIR exports.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImportConfig {
    /// Encounters an import adds that were discharged more than this many days ago come in as
    /// closed history (not on worklists or in the backlog); 0 keeps every encounter as work.
    pub historical_days: u64,
    /// The longest line of an import file (notes and code sets), in bytes.
    pub max_line_bytes: usize,
    /// The largest note text, in bytes.
    pub max_note_bytes: usize,
}

impl Default for ImportConfig {
    fn default() -> Self {
        Self {
            historical_days: 120,
            max_line_bytes: crate::limits::Limits::default().max_line_bytes,
            max_note_bytes: crate::limits::Limits::default().max_note_bytes,
        }
    }
}

impl ImportConfig {
    /// The import limits in force for this process (`import.max_line_bytes`, `import.max_note_bytes`).
    pub fn limits(&self) -> crate::limits::Limits {
        crate::limits::Limits {
            max_line_bytes: self.max_line_bytes,
            max_note_bytes: self.max_note_bytes,
        }
    }
}

/// Where the audit chain's head is written outside the database (issue 10).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// Write an anchor every this many audit rows (besides every session end); 0: only at session end.
    pub anchor_every: u64,
    /// The append-only anchors file; `None` means DATA_DIR/audit-anchors.
    pub anchors_file: Option<PathBuf>,
    /// Also send each anchor to the system log (/dev/log).
    pub syslog: bool,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            anchor_every: 1000,
            anchors_file: None,
            syslog: true,
        }
    }
}

/// File modes and session limits (see README, Deploying for a team).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SecurityConfig {
    /// Minutes without a key after which the workstation clears the screen and ends the session.
    pub idle_minutes: u64,
    /// Let the data directory's group read and write what chartdesk creates (umask 007 instead of
    /// 077; a data directory chartdesk creates gets the set-group-ID bit so files take its group).
    pub group_access: bool,
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            idle_minutes: 15,
            group_access: false,
        }
    }
}

/// MS-DRG grouping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GrouperConfig {
    /// The hospital is exempt from POA reporting (e.g. critical access): no HAC step.
    pub poa_exempt: bool,
}

/// Productivity standards: encounters a coder is expected to code per hour worked, by type.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StandardsConfig {
    pub inpatient: f64,
    pub observation: f64,
    pub emergency: f64,
    pub outpatient: f64,
    pub professional: f64,
}

impl Default for StandardsConfig {
    fn default() -> Self {
        Self {
            inpatient: 3.0,
            observation: 5.0,
            emergency: 8.0,
            outpatient: 10.0,
            professional: 15.0,
        }
    }
}

impl StandardsConfig {
    /// The standard for one encounter type, in encounters per hour.
    pub fn per_hour(&self, t: crate::domain::EncounterType) -> f64 {
        use crate::domain::EncounterType::*;
        match t {
            Inpatient => self.inpatient,
            Observation => self.observation,
            Emergency => self.emergency,
            Outpatient => self.outpatient,
            Professional => self.professional,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColorMode {
    /// Colour unless NO_COLOR is set.
    Auto,
    /// Always colour, even with NO_COLOR.
    Always,
    /// Never colour: attributes (bold, reverse) only.
    Never,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiConfig {
    pub color: ColorMode,
    /// Milliseconds between screen refreshes while idle (picks up other coders' changes).
    pub refresh_ms: u64,
    /// Show the worklist filtered to "mine" at start instead of all.
    pub start_with_mine: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// How many code search results to fetch per query.
    pub code_limit: usize,
    /// Only offer billable codes in the search panel (header codes still open their detail).
    pub billable_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DemoConfig {
    /// How many demo encounters a first start generates.
    pub encounters: usize,
}

/// Documentation queries: when unanswered queries escalate and when they close without response.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QueriesConfig {
    /// Hours after sending before an unanswered query escalates to the physician advisor.
    pub escalate_after_hours: u64,
    /// Who escalated queries go to.
    pub physician_advisor: String,
    /// Days after sending before an unanswered query is closed with outcome "no response".
    pub no_response_close_days: u64,
}

impl Default for QueriesConfig {
    fn default() -> Self {
        Self {
            escalate_after_hours: 48,
            physician_advisor: "Physician Advisor".into(),
            no_response_close_days: 7,
        }
    }
}

impl Default for UiConfig {
    fn default() -> Self {
        Self {
            color: ColorMode::Auto,
            refresh_ms: 2000,
            start_with_mine: false,
        }
    }
}
impl Default for SearchConfig {
    fn default() -> Self {
        Self {
            code_limit: 50,
            billable_only: false,
        }
    }
}
impl Default for DemoConfig {
    fn default() -> Self {
        Self { encounters: 300 }
    }
}

impl Config {
    /// Parses TOML text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Config> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            anyhow::anyhow!(
                "{origin}: {}: fix the key or value (every key is documented in config.example.toml)",
                e.to_string().trim()
            )
        })?;
        cfg.validate(origin)?;
        Ok(cfg)
    }

    fn validate(&self, origin: &str) -> Result<()> {
        if self.search.code_limit == 0 || self.search.code_limit > 1000 {
            anyhow::bail!("{origin}: search.code_limit must be between 1 and 1000");
        }
        if self.ui.refresh_ms < 100 {
            anyhow::bail!("{origin}: ui.refresh_ms must be at least 100");
        }
        let s = &self.standards;
        for (key, v) in [
            ("inpatient", s.inpatient),
            ("observation", s.observation),
            ("emergency", s.emergency),
            ("outpatient", s.outpatient),
            ("professional", s.professional),
        ] {
            if !(v > 0.0 && v <= 1000.0) {
                anyhow::bail!(
                    "{origin}: standards.{key} must be above 0 and at most 1000 per hour"
                );
            }
        }
        if self.demo.encounters == 0 || self.demo.encounters > 1_000_000 {
            anyhow::bail!("{origin}: demo.encounters must be between 1 and 1000000");
        }
        if self.queries.escalate_after_hours == 0 || self.queries.escalate_after_hours > 24 * 365 {
            anyhow::bail!("{origin}: queries.escalate_after_hours must be between 1 and 8760");
        }
        if self.import.historical_days > 36_500 {
            anyhow::bail!(
                "{origin}: import.historical_days must be at most 36500 (0 turns history off)"
            );
        }
        if self.queries.no_response_close_days == 0 || self.queries.no_response_close_days > 365 {
            anyhow::bail!("{origin}: queries.no_response_close_days must be between 1 and 365");
        }
        if self.security.idle_minutes == 0 || self.security.idle_minutes > 24 * 60 {
            anyhow::bail!("{origin}: security.idle_minutes must be between 1 and 1440");
        }
        let im = &self.import;
        if !(1024..=1024 * crate::limits::MIB).contains(&im.max_note_bytes) {
            anyhow::bail!("{origin}: import.max_note_bytes must be between 1024 and 1073741824");
        }
        if !(im.max_note_bytes..=1024 * crate::limits::MIB).contains(&im.max_line_bytes) {
            anyhow::bail!(
                "{origin}: import.max_line_bytes must be at least import.max_note_bytes and at \
                 most 1073741824"
            );
        }
        if self.queries.physician_advisor.trim().is_empty() {
            anyhow::bail!(
                "{origin}: queries.physician_advisor must name who escalated queries go to"
            );
        }
        Ok(())
    }

    /// Loads `path` if given (it must exist), else the default config file if it exists, else defaults.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let (file, required) = match path {
            Some(p) => (Some(p.to_path_buf()), true),
            None => (default_path(), false),
        };
        let Some(file) = file else {
            return Ok(Config::default());
        };
        match std::fs::read_to_string(&file) {
            Ok(text) => Config::parse(&text, &file.display().to_string()),
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Config::default())
            }
            Err(e) => Err(e).with_context(|| format!("reading the config file {}", file.display())),
        }
    }

    /// Whether the UI may use colour, from the setting and NO_COLOR.
    pub fn use_color(&self) -> bool {
        match self.ui.color {
            ColorMode::Always => true,
            ColorMode::Never => false,
            ColorMode::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }
}

/// `<config dir>/config.toml`, e.g. ~/.config/chartdesk/config.toml on Linux.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("org", "chartdesk", "chartdesk")
        .map(|d| d.config_dir().join("config.toml"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_is_the_defaults() {
        assert_eq!(
            Config::parse(EXAMPLE, "config.example.toml").unwrap(),
            Config::default()
        );
    }

    #[test]
    fn unknown_key_is_named() {
        let err = Config::parse("[ui]\ncolour = \"never\"\n", "my.toml").unwrap_err();
        let msg = format!("{err:#}");
        assert!(msg.contains("my.toml") && msg.contains("colour"), "{msg}");
    }

    #[test]
    fn bad_value_is_refused() {
        assert!(Config::parse("[search]\ncode_limit = 0\n", "x.toml").is_err());
        assert!(Config::parse("[ui]\ncolor = \"purple\"\n", "x.toml").is_err());
    }
}
