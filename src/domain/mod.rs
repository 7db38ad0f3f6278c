//! Plain types and rules of the coding domain: no I/O, no SQL, no terminal.
pub mod code;
pub mod encounter;
pub mod query;
pub mod query_compliance;
mod query_lexicon;
pub mod query_rules;
pub mod role;

pub use code::{CodeEntry, CodeSystem, EntryKind, TabularNotes};
pub use encounter::{
    Assignment, Encounter, EncounterStatus, EncounterType, Note, Patient, Poa, Sex,
};
pub use query::{
    Indicator, Outcome, QueryEvent, QueryStatus, QueryTemplate, QueryType, YesNoPurpose,
};
pub use query_compliance::{ComplianceInput, Finding, Severity};
pub use role::{Permission, Role};
