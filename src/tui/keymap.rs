//! Help text types and the `:` commands list; the keys themselves are in `keys` (one table per
//! screen and overlay, from which key handling, the footer and the help are all generated).
pub use crate::tui::keys::{footer, help_sections, map};

/// One line of help: the keys and what they do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyHelp {
    pub keys: &'static str,
    pub what: &'static str,
}

const fn k(keys: &'static str, what: &'static str) -> KeyHelp {
    KeyHelp { keys, what }
}

/// A titled group of help lines.
#[derive(Debug, Clone)]
pub struct HelpSection {
    pub title: &'static str,
    pub keys: Vec<KeyHelp>,
}

pub const COMMANDS: &[KeyHelp] = &[
    k(":open ACCOUNT", "open an encounter"),
    k(":assign CODE", "assign by code (:assign pcs CODE for PCS)"),
    k(":poa Y|N|U|W|1|clear", "POA of the highlighted code"),
    k(":principal", "make the highlighted code principal"),
    k(":coded  :reopen  :release", "encounter status"),
    k(
        ":reassign ACCOUNT LOGIN",
        "hand a claim to a coder (supervisors)",
    ),
    k(":edits", "open or close the coding edits list"),
    k(
        ":override REASON",
        "override the highlighted error in the edits list (supervisors; audited)",
    ),
    k(":notes QUERY", "search every note"),
    k(":pcs", "the ICD-10-PCS axis browser"),
    k(":all  :mine  :unassigned", "worklist scope"),
    k(":dashboard", "supervisor dashboard"),
    k(":query  :queue", "query panel of the encounter / CDI queue"),
    k(":q", "quit"),
];
