-- Schema step 4: documentation queries (AHIMA/ACDIS query practice). Append-only: never edit once shipped.
CREATE TABLE queries (
    id                INTEGER PRIMARY KEY,
    encounter_id      INTEGER NOT NULL REFERENCES encounters(id),
    query_type        TEXT NOT NULL CHECK (query_type IN ('open_ended','multiple_choice','yes_no')),
    status            TEXT NOT NULL DEFAULT 'draft'
                      CHECK (status IN ('draft','open','escalated','answered','closed','canceled')),
    provider          TEXT NOT NULL DEFAULT '',
    question          TEXT NOT NULL DEFAULT '',
    purpose           TEXT CHECK (purpose IS NULL OR purpose IN
                      ('confirm_documented','poa','cause_and_effect','resolve_conflict')),
    template          TEXT,
    created_by        TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    sent_by           TEXT,
    sent_at           TEXT,
    due_at            TEXT,
    escalated_at      TEXT,
    escalated_to      TEXT,
    answered_at       TEXT,
    answered_by       TEXT,
    response          TEXT,
    outcome           TEXT CHECK (outcome IS NULL OR outcome IN
                      ('agreed','disagreed','clinically_undetermined','no_response')),
    closed_at         TEXT,
    closed_by         TEXT,
    canceled_at       TEXT,
    canceled_by       TEXT,
    cancel_reason     TEXT,
    -- The last assignment_history id of the encounter when the answer was entered: code changes
    -- after it are caused by the answer (ids, not times, so two changes in one millisecond order).
    answer_history_mark INTEGER,
    codes_recorded_at TEXT
);
CREATE INDEX queries_encounter ON queries(encounter_id, status);
CREATE INDEX queries_status ON queries(status, sent_at);
CREATE INDEX queries_created_by ON queries(created_by, status);

CREATE TABLE query_options (
    query_id INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    label    TEXT NOT NULL,
    PRIMARY KEY (query_id, position)
);

-- The note row id is kept without a foreign key (a note may be re-imported); the quote and its
-- provenance are copied so the query reads the same whatever happens to the note later.
CREATE TABLE query_indicators (
    id          INTEGER PRIMARY KEY,
    query_id    INTEGER NOT NULL REFERENCES queries(id) ON DELETE CASCADE,
    note_row_id INTEGER NOT NULL,
    note_id     TEXT NOT NULL,
    note_type   TEXT NOT NULL,
    author      TEXT NOT NULL,
    written_at  TEXT NOT NULL,
    quote       TEXT NOT NULL,
    start_char  INTEGER NOT NULL,
    end_char    INTEGER NOT NULL,
    pinned_by   TEXT NOT NULL,
    pinned_at   TEXT NOT NULL
);
CREATE INDEX query_indicators_query ON query_indicators(query_id, id);

CREATE TABLE query_events (
    id          INTEGER PRIMARY KEY,
    query_id    INTEGER NOT NULL REFERENCES queries(id),
    event       TEXT NOT NULL,
    from_status TEXT,
    to_status   TEXT NOT NULL,
    login       TEXT NOT NULL,
    at          TEXT NOT NULL,
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX query_events_query ON query_events(query_id, id);

CREATE TABLE query_code_changes (
    id         INTEGER PRIMARY KEY,
    query_id   INTEGER NOT NULL REFERENCES queries(id),
    history_id INTEGER NOT NULL UNIQUE REFERENCES assignment_history(id),
    system     TEXT NOT NULL,
    code       TEXT NOT NULL,
    action     TEXT NOT NULL,
    detail     TEXT NOT NULL DEFAULT '',
    login      TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX query_code_changes_query ON query_code_changes(query_id, id);

-- Options and look_for hold one entry per line.
CREATE TABLE query_templates (
    name       TEXT PRIMARY KEY,
    title      TEXT NOT NULL,
    query_type TEXT NOT NULL CHECK (query_type IN ('open_ended','multiple_choice','yes_no')),
    purpose    TEXT CHECK (purpose IS NULL OR purpose IN
               ('confirm_documented','poa','cause_and_effect','resolve_conflict')),
    question   TEXT NOT NULL,
    options    TEXT NOT NULL DEFAULT '',
    look_for   TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL DEFAULT 'chartdesk',
    updated_at TEXT NOT NULL DEFAULT '2026-01-01T00:00:00.000Z'
);

INSERT INTO query_templates (name, title, query_type, purpose, question, options, look_for) VALUES
('heart_failure', 'Heart failure: type and acuity', 'multiple_choice', NULL,
 'Heart failure is documented in this record, with the clinical indicators listed above. Based on your clinical judgment, can the type and acuity of the heart failure be further specified?',
 'Acute systolic (congestive) heart failure
Acute on chronic systolic (congestive) heart failure
Chronic systolic (congestive) heart failure
Acute diastolic (congestive) heart failure
Acute on chronic diastolic (congestive) heart failure
Chronic diastolic (congestive) heart failure
Acute on chronic combined systolic and diastolic (congestive) heart failure',
 'BNP or NT-proBNP values
Ejection fraction (echocardiogram)
IV diuretics and the response (diuresis, weight)
Edema, JVD, crackles, orthopnea, dyspnea
Chest x-ray: pulmonary edema, pleural effusions
Home heart failure medications'),
('sepsis', 'Sepsis: clarification of the condition treated', 'multiple_choice', NULL,
 'The clinical indicators listed above are documented in this record. Based on your clinical judgment, can the condition being evaluated and treated be further clarified?',
 'Sepsis, with the source of infection if known
Severe sepsis with acute organ dysfunction (please specify the dysfunction)
Septic shock
Localized infection without sepsis
Sepsis ruled out',
 'Temperature, heart rate, respiratory rate
WBC and bands
Lactate
Blood pressure, MAP, vasopressors
Blood and other cultures, source of infection
Antibiotics started and their timing
Organ dysfunction: creatinine, bilirubin, platelets, mental status'),
('malnutrition', 'Malnutrition: presence and severity', 'multiple_choice', NULL,
 'The nutrition assessment findings listed above are documented in this record. Based on your clinical judgment, can the nutritional status of this patient be further specified?',
 'Mild protein-calorie malnutrition
Moderate protein-calorie malnutrition
Severe protein-calorie malnutrition
Malnutrition not present',
 'Dietitian assessment and the criteria used (ASPEN/AND, GLIM)
Weight loss and over what time
Energy intake compared with needs
Muscle wasting and fat loss on exam
Grip strength, functional decline
BMI
Nutrition interventions (supplements, tube feeding)'),
('acute_kidney_injury', 'Acute kidney injury: clinical significance of creatinine changes', 'multiple_choice', NULL,
 'The creatinine values and treatment listed above are documented in this record. Based on your clinical judgment, can the clinical significance of these findings be clarified?',
 'Acute kidney injury
Acute tubular necrosis
Prerenal azotemia without acute kidney injury
Expected fluctuation of creatinine, not clinically significant',
 'Creatinine: baseline, peak and trend
BUN, GFR
Urine output
IV fluids given, nephrotoxic medications held
Nephrology consultation'),
('anemia', 'Anemia: type and acuity', 'multiple_choice', NULL,
 'The hemoglobin values and treatment listed above are documented in this record. Based on your clinical judgment, can a diagnosis associated with these findings be further specified?',
 'Acute blood loss anemia
Chronic blood loss anemia
Iron deficiency anemia
Anemia of chronic disease
Expected dilutional drop in hemoglobin, not clinically significant',
 'Hemoglobin and hematocrit: baseline and trend
Transfusions (units, dates)
Blood loss: operative, GI bleeding, melena
Iron studies, ferritin, MCV, B12, folate
Iron or other treatment started'),
('encephalopathy', 'Altered mental status: encephalopathy', 'multiple_choice', NULL,
 'The changes in mental status listed above are documented in this record. Based on your clinical judgment, can the condition be further specified?',
 'Metabolic encephalopathy
Toxic encephalopathy
Hepatic encephalopathy
Delirium due to a known physiological condition',
 'Mental status: confusion, disorientation, lethargy, GCS, CAM
Baseline mental status
Ammonia, sodium, glucose, infection, drug levels
Treatment: lactulose, IV fluids, medication changes
Neurology consultation, imaging'),
('respiratory_failure', 'Respiratory status: respiratory failure', 'multiple_choice', NULL,
 'The respiratory findings and treatment listed above are documented in this record. Based on your clinical judgment, can the respiratory condition being treated be further specified?',
 'Acute hypoxic respiratory failure
Acute hypercapnic respiratory failure
Acute on chronic hypoxic respiratory failure
Respiratory insufficiency without respiratory failure',
 'SpO2 on room air, PaO2, PaCO2, pH (ABG)
Respiratory rate, accessory muscle use, speaking in short sentences
Oxygen delivered: nasal cannula, high flow, BiPAP, intubation
Home oxygen (baseline)
Response to treatment'),
('poa', 'Present-on-admission status', 'yes_no', 'poa',
 'The condition named below is documented in this record: [condition, where and when documented]. Based on your clinical judgment, was this condition present at the time of inpatient admission?',
 'Yes
No
Clinically undetermined',
 'Where and when the condition was first documented
Emergency department and admission history and physical findings
Findings present at admission (labs, imaging, exam) related to the condition
Conditions that developed during an outpatient encounter before admission');
