-- 5: teams, and second-level coding review (a reviewer re-codes a sample of coded encounters).
ALTER TABLE users ADD COLUMN team TEXT NOT NULL DEFAULT '';
CREATE TABLE reviews (
    id           INTEGER PRIMARY KEY,
    encounter_id INTEGER NOT NULL REFERENCES encounters(id),
    coder        TEXT NOT NULL,
    coded_at     TEXT NOT NULL,
    reviewer     TEXT,
    sampled_at   TEXT NOT NULL,
    sampled_by   TEXT NOT NULL,
    sample_rule  TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','done')),
    completed_at TEXT,
    findings     TEXT NOT NULL DEFAULT '',
    UNIQUE (encounter_id, coded_at)
);
CREATE INDEX reviews_coder ON reviews(coder, status);
CREATE TABLE review_codes (
    review_id INTEGER NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    side      TEXT NOT NULL CHECK (side IN ('coder','reviewer')),
    system    TEXT NOT NULL,
    code      TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    poa       TEXT,
    PRIMARY KEY (review_id, side, system, code)
);
