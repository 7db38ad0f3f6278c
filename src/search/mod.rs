//! Search: the derived tantivy code index, query analysis and ranking.
//!
//! SQLite holds the code sets; this module builds a rebuildable index from them (`CodeIndex::build`),
//! detects a stale or broken one (`CodeIndex::stored_fingerprint`) and answers search-as-you-type
//! queries (`CodeIndex::search`). `eval` measures ranking quality and speed against an SQLite FTS5
//! baseline.
pub(crate) mod analyze;
pub mod baseline;
pub(crate) mod binio;
pub mod codes;
pub mod eval;
pub(crate) mod fuzzy;
pub(crate) mod lookup;
pub mod notes;
pub(crate) mod pcs_axes;
pub mod pcs_open;
pub mod perms;
pub(crate) mod query;
pub(crate) mod rank;
pub(crate) mod synonyms;
pub(crate) mod table;
pub(crate) mod variants;

pub use codes::{CodeHit, CodeIndex, CodeQuery, SCHEMA_VERSION};

#[cfg(test)]
mod tests;
