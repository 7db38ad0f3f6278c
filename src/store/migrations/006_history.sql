-- Encounters imported as closed history (discharged before an import's --historical-before date):
-- searchable and openable, but not on worklists or in the backlog.
ALTER TABLE encounters ADD COLUMN historical INTEGER NOT NULL DEFAULT 0;
