//! Plain types and rules of the coding domain: no I/O, no SQL, no terminal.
pub mod code;
pub mod encounter;
pub mod role;

pub use code::{CodeEntry, CodeSystem, EntryKind, TabularNotes};
pub use encounter::{
    Assignment, Encounter, EncounterStatus, EncounterType, Note, Patient, Poa, Sex,
};
pub use role::{Permission, Role};
