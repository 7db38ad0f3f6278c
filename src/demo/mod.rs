//! Deterministic demo data: patients, encounters and clinical notes from templates in `assets/demo`.
// PLACEHOLDER until the demo branch lands.
use crate::domain::*;
pub struct DemoData { pub patients: Vec<Patient>, pub encounters: Vec<Encounter>, pub notes: Vec<Note>, pub staff: Vec<(String, Role)> }
pub fn generate(_n: usize, _seed: u64, _today: chrono::NaiveDate) -> anyhow::Result<DemoData> { anyhow::bail!("todo") }
