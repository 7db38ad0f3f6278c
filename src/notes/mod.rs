//! Bringing clinical notes in: parsers for JSON lines, CSV and FHIR R4, and the accepted note types.
pub mod types;
