-- A calendar load is finished once the open cases it changes are re-projected; until then
-- any engine finishes it (on start, and in its watcher), so a crash half-way never leaves
-- cases on the old calendar for good. Loads stored before are finished.
ALTER TABLE regflow_calendars ADD COLUMN reprojected_at BIGINT;
UPDATE regflow_calendars SET reprojected_at = loaded_at;
