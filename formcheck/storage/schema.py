"""The history database's schema, as an ordered list of migrations.

The schema version lives in `PRAGMA user_version`. Each migration is a list of SQL statements that
runs in one transaction together with the version bump, so a database is always at exactly one
version: a migration that fails or is killed half-way leaves it as it was. Never edit a released
migration; add a new one at the end.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int  # the schema version once this migration has run
    description: str
    statements: tuple[str, ...]


# Version 1: a row per session with its totals and the full report, and the fault spans.
_V1 = (
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        started_utc TEXT NOT NULL,          -- ISO 8601 in UTC: sorts as text
        day TEXT NOT NULL,                  -- the user's local calendar date, YYYY-MM-DD
        exercise TEXT NOT NULL,
        title TEXT NOT NULL,
        source_kind TEXT NOT NULL CHECK (source_kind IN ('video', 'live')),
        source TEXT,
        duration_s REAL NOT NULL,
        reps INTEGER NOT NULL,
        partials INTEGER NOT NULL,
        complete INTEGER NOT NULL,
        report_json TEXT NOT NULL           -- the whole Report, so nothing shown is ever lost
    )
    """,
    "CREATE INDEX sessions_by_day ON sessions (day, started_utc)",
    "CREATE INDEX sessions_by_exercise ON sessions (exercise, day)",
    """
    CREATE TABLE session_faults (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        fault TEXT NOT NULL,
        start_s REAL NOT NULL,
        end_s REAL NOT NULL,
        message TEXT NOT NULL
    )
    """,
    "CREATE INDEX session_faults_by_session ON session_faults (session_id)",
)

# Version 2: per-event rows (repetitions, holds and steps with side, hold time and faults), the
# totals the progress page charts, and the routine a session belonged to. Sessions saved by
# version 1 are filled in from their stored report.
_V2 = (
    """
    CREATE TABLE session_events (
        session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('rep', 'partial', 'hold', 'step')),
        idx INTEGER NOT NULL,
        start_s REAL NOT NULL,
        end_s REAL NOT NULL,
        side TEXT,
        duration_s REAL,
        direction TEXT,
        faults TEXT NOT NULL DEFAULT ''    -- fault ids joined by ';'
    )
    """,
    "CREATE INDEX session_events_by_session ON session_events (session_id)",
    "ALTER TABLE sessions ADD COLUMN hold_target_s REAL",
    "ALTER TABLE sessions ADD COLUMN hold_total_s REAL NOT NULL DEFAULT 0",
    "ALTER TABLE sessions ADD COLUMN counted_events INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sessions ADD COLUMN faulty_events INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE sessions ADD COLUMN routine TEXT",
    # Identifies what was analysed (e.g. a video file's path, size and time), so analysing the same
    # recording again, or an app rerun, does not count the practice twice.
    "ALTER TABLE sessions ADD COLUMN source_key TEXT",
    "CREATE UNIQUE INDEX sessions_by_source_key ON sessions (source_key) WHERE source_key IS NOT NULL",
    """
    INSERT INTO session_events (session_id, kind, idx, start_s, end_s, side, duration_s, direction, faults)
    SELECT s.id,
           json_extract(e.value, '$.kind'), json_extract(e.value, '$.index'),
           json_extract(e.value, '$.start_s'), json_extract(e.value, '$.end_s'),
           json_extract(e.value, '$.side'), json_extract(e.value, '$.duration_s'),
           json_extract(e.value, '$.direction'),
           coalesce((SELECT group_concat(f.value, ';') FROM json_each(e.value, '$.faults') AS f), '')
    FROM sessions AS s, json_each(s.report_json, '$.events') AS e
    ORDER BY s.id, e.key
    """,
    """
    UPDATE sessions SET
        hold_target_s = json_extract(report_json, '$.hold_target_s'),
        hold_total_s = coalesce((SELECT sum(duration_s) FROM session_events AS e
                                 WHERE e.session_id = sessions.id AND e.kind IN ('rep', 'hold')), 0),
        counted_events = (SELECT count(*) FROM session_events AS e
                          WHERE e.session_id = sessions.id AND e.kind IN ('rep', 'hold', 'step')),
        faulty_events = (SELECT count(*) FROM session_events AS e
                         WHERE e.session_id = sessions.id AND e.kind IN ('rep', 'hold', 'step')
                           AND e.faults != '')
    """,
)

# Version 3: the patient a session belongs to, for a clinic's history of many people (`formcheck
# batch --save` with a manifest's patient column); a person's own history leaves it empty.
_V3 = (
    "ALTER TABLE sessions ADD COLUMN patient TEXT",
    "CREATE INDEX sessions_by_patient ON sessions (patient, day) WHERE patient IS NOT NULL",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sessions and their fault spans", _V1),
    Migration(2, "events per session, hold and fault totals, routine, source key", _V2),
    Migration(3, "patient", _V3),
)
LATEST_VERSION = MIGRATIONS[-1].version
