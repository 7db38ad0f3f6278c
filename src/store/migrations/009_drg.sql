-- MS-DRG (issue 13): the encounter's discharge status, the final DRG stored when an inpatient
-- encounter is marked coded (cleared on reopen), and the working DRG a query was sent against.
-- Weights are kept in ten-thousandths (Table 5 has four decimals) so they compare exactly.
ALTER TABLE encounters ADD COLUMN discharge_status TEXT
    CHECK (discharge_status IS NULL OR (length(discharge_status) = 2
           AND discharge_status GLOB '[0-9][0-9]'));

CREATE TABLE encounter_drgs (
    encounter_id INTEGER PRIMARY KEY REFERENCES encounters(id),
    drg          INTEGER NOT NULL,
    weight_e4    INTEGER NOT NULL,
    mdc          INTEGER NOT NULL,
    drg_type     TEXT NOT NULL,
    -- 'MCC', 'CC' or '' : the highest severity that counted for the final DRG.
    severity     TEXT NOT NULL CHECK (severity IN ('MCC','CC','')),
    -- Whether any secondary diagnosis on the claim is a CC or MCC at all (counted or not).
    has_cc_codes INTEGER NOT NULL DEFAULT 0,
    principal    TEXT NOT NULL,
    discharge_status TEXT NOT NULL,
    grouper      TEXT NOT NULL,
    grouped_by   TEXT NOT NULL,
    grouped_at   TEXT NOT NULL
);

ALTER TABLE queries ADD COLUMN drg_before INTEGER;
ALTER TABLE queries ADD COLUMN drg_before_weight_e4 INTEGER;
ALTER TABLE queries ADD COLUMN drg_before_grouper TEXT;
