-- A tamper-evident audit: each row's hash covers the previous row's hash and the row's own fields
-- (and its subjects); the client address of an SSH session; the patients and encounters a view showed.
-- Existing rows are chained in Rust right after the migration (SQLite has no SHA-256).
ALTER TABLE audit ADD COLUMN client TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
CREATE INDEX audit_patient ON audit(patient_id, id);
CREATE TABLE audit_subjects (
    audit_id     INTEGER NOT NULL REFERENCES audit(id),
    patient_id   INTEGER,
    encounter_id INTEGER
);
CREATE INDEX audit_subjects_audit ON audit_subjects(audit_id);
CREATE INDEX audit_subjects_patient ON audit_subjects(patient_id, audit_id);
CREATE INDEX audit_subjects_encounter ON audit_subjects(encounter_id, audit_id);
