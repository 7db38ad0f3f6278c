//! Deterministic demo data: patients, encounters and clinical notes from templates in `assets/demo`.
