-- Every calendar load is kept with who loaded it, how, and what it changed (SPEC 2.1). The
-- newest row is the calendar every engine on this database computes with: `csv` holds the
-- whole calendar in force after the load, `loaded_csv` the text as given.
ALTER TABLE regflow_calendars ADD COLUMN mode TEXT NOT NULL DEFAULT 'replace';
ALTER TABLE regflow_calendars ADD COLUMN loaded_by TEXT NOT NULL DEFAULT '';
ALTER TABLE regflow_calendars ADD COLUMN years TEXT NOT NULL DEFAULT '[]';
ALTER TABLE regflow_calendars ADD COLUMN changed_years TEXT NOT NULL DEFAULT '[]';
ALTER TABLE regflow_calendars ADD COLUMN loaded_csv TEXT NOT NULL DEFAULT '';

-- Open cases by the end of their statutory clock: a load re-projects only those whose
-- deadlines reach into a year it changed.
CREATE INDEX IF NOT EXISTS regflow_cases_open_statutory ON regflow_cases (statutory_due_at) WHERE is_open = 1;
