-- Claims in their own table (issue 12 item 4) with leases (issue 11). One row per claim, kept after
-- it ends; an encounter's open claim is its row with ended_at NULL. encounters.claimed_by/claimed_at
-- stay as the current holder for the worklist queries and are written only together with this
-- table (store::claims).
CREATE TABLE claims (
    id           INTEGER PRIMARY KEY,
    encounter_id INTEGER NOT NULL REFERENCES encounters(id),
    holder       TEXT NOT NULL,
    since        TEXT NOT NULL,
    -- Until when the holder's workstation vouches for the claim (renewed while it is open); after
    -- it another coder may take the claim over. NULL: no lease (handed over by a supervisor and
    -- not yet opened by its holder), never expires on its own.
    lease_until  TEXT,
    ended_at     TEXT,
    ended_by     TEXT,
    ended_how    TEXT CHECK (ended_how IS NULL OR ended_how IN ('release','reassign','take_over','coded')),
    CHECK ((ended_at IS NULL) = (ended_how IS NULL))
);
CREATE UNIQUE INDEX claims_open ON claims(encounter_id) WHERE ended_at IS NULL;
CREATE INDEX claims_encounter ON claims(encounter_id, id);

-- History from the audit log (the audit rows themselves are kept as they are): every release or
-- reassignment ended a claim, held by the "from" of its "from -> to" detail (or, for the holder's
-- own "left without codes", by whoever wrote the row); every mark_coded ended its coder's claim.
-- When the claim began is the holder's last opening of the encounter before, if the log has it.
WITH ended AS (
    SELECT a.id, a.encounter_id, a.login, a.at, a.action,
           CASE WHEN a.action = 'mark_coded' THEN a.login
                WHEN instr(a.detail, ' -> ') > 0 THEN substr(a.detail, 1, instr(a.detail, ' -> ') - 1)
                ELSE a.login END AS holder
      FROM audit a
     WHERE a.action IN ('release', 'reassign', 'mark_coded') AND a.encounter_id IS NOT NULL
       AND a.encounter_id IN (SELECT id FROM encounters)
)
INSERT INTO claims (encounter_id, holder, since, lease_until, ended_at, ended_by, ended_how)
SELECT x.encounter_id, x.holder,
       COALESCE((SELECT MAX(o.at) FROM audit o
                  WHERE o.encounter_id = x.encounter_id AND o.id < x.id
                    AND o.action = 'open_encounter' AND o.login = x.holder), x.at),
       x.at, x.at, x.login,
       CASE x.action WHEN 'mark_coded' THEN 'coded' ELSE x.action END
  FROM ended x
 WHERE x.holder <> 'nobody'
 ORDER BY x.id;

-- Current holders, from the encounters. Their lease starts now with 30 minutes' grace, so a claim
-- left by a workstation that died before the upgrade frees itself instead of being held forever.
INSERT INTO claims (encounter_id, holder, since, lease_until)
SELECT id, claimed_by, COALESCE(claimed_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
       strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+30 minutes')
  FROM encounters WHERE claimed_by IS NOT NULL
 ORDER BY id;
