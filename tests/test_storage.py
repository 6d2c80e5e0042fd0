"""The session history on real SQLite files: saving, reading, filters, atomic saves, a process
killed mid-write, migration from the first schema, and the progress figures."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from formcheck.specs import load_all_specs
from formcheck.storage import (LATEST_VERSION, SessionStore, StorageError, content_source_key, default_db_path,
                               period_totals, practice_streaks, this_week, video_source_key, week_start,
                               weekly_target)
from formcheck.storage import store as store_module
from formcheck.storage.schema import Migration

from history_reports import make_report

TESTS_DIR = Path(__file__).resolve().parent
MONDAY = date(2026, 11, 2)


@pytest.fixture
def db(tmp_path) -> Path:
    return tmp_path / "history.sqlite3"


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path)


# ---------------------------------------------------------------------- opening
def test_default_path_follows_env_then_xdg_then_home(monkeypatch, tmp_path):
    monkeypatch.setenv("FORMCHECK_DB", str(tmp_path / "mine.db"))
    assert default_db_path() == tmp_path / "mine.db"
    monkeypatch.delenv("FORMCHECK_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_db_path() == tmp_path / "xdg" / "formcheck" / "history.sqlite3"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_db_path() == tmp_path / "home" / ".local" / "share" / "formcheck" / "history.sqlite3"


def test_open_creates_a_wal_database_at_the_latest_schema(tmp_path, monkeypatch):
    path = tmp_path / "deep" / "folder" / "history.sqlite3"
    monkeypatch.setenv("FORMCHECK_DB", str(path))
    with SessionStore.open() as store:
        assert store.path == path and store.schema_version == LATEST_VERSION
        assert store._db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        store.save_report(make_report())
        # Health data: the owner's only, the journal beside it too (SQLite removes it on closing).
        assert path.stat().st_mode & 0o777 == 0o600
        assert path.with_name(path.name + "-wal").stat().st_mode & 0o777 == 0o600
        assert path.parent.stat().st_mode & 0o777 == 0o700
    raw = _raw(path)
    assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert raw.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


def test_unusable_files_give_one_line_errors(tmp_path):
    garbage = tmp_path / "garbage.sqlite3"
    garbage.write_bytes(b"this is not a database at all, just some text " * 100)
    with pytest.raises(StorageError, match="not a usable formcheck history database"):
        SessionStore.open(garbage)
    with pytest.raises(StorageError, match="is a folder"):
        SessionStore.open(tmp_path)
    newer = tmp_path / "newer.sqlite3"
    raw = _raw(newer)
    raw.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    raw.close()
    with pytest.raises(StorageError, match="newer formcheck"):
        SessionStore.open(newer)


# ---------------------------------------------------------------------- saving and reading
def test_a_saved_report_reads_back_with_counts_faults_and_times(db):
    report = make_report("seated_side_stretch", reps=6, hold_s=5.0, per_side=True, faulty=(2, 5))
    started = datetime(2026, 11, 3, 18, 30)
    with SessionStore.open(db) as store:
        session_id = store.save_report(report, source_kind="live", started_at=started, routine="ql_routine")
        record = store.session(session_id)
        assert store.report(session_id) == report  # the whole report, exactly
        spans = store.fault_spans([session_id, 999])
        assert store.fault_spans([]) == {}
    assert record.day == date(2026, 11, 3) and record.started_at.replace(tzinfo=None) == started
    assert record.source_kind == "live" and record.routine == "ql_routine"
    assert record.reps == 6 and record.reps_by_side == {"left": 3, "right": 3}
    assert record.hold_total_s == pytest.approx(30.0) and record.hold_target_s == 5.0
    assert (record.counted_events, record.faulty_events) == (6, 2) and record.fault_rate == pytest.approx(2 / 6)
    assert record.fault_counts == {"hips_sag": 2}
    assert spans == {session_id: report.faults, 999: []}  # from the fault table, in report order
    assert [(f.start_s, f.end_s, f.message) for f in spans[session_id]] == [
        (9.0, 10.0, "lift your hips level"), (21.0, 22.0, "lift your hips level")]
    raw = _raw(db)
    events = raw.execute("SELECT kind, idx, side, duration_s, faults FROM session_events WHERE session_id = ? "
                         "ORDER BY idx", (session_id,)).fetchall()
    assert events[1] == ("hold", 2, "right", 5.0, "hips_sag") and len(events) == 6


def test_steps_are_kept_per_direction(db):
    with SessionStore.open(db) as store:
        record = store.session(store.save_report(make_report("butt_walk", steps=(9, 8), faulty=(3,))))
    assert record.steps == {"forward": 9, "backward": 8} and record.sets == 1
    assert record.counted_events == 17 and record.faulty_events == 1 and record.hold_total_s == 0


def test_history_filters_by_local_day_exercise_source_and_count(db):
    with SessionStore.open(db) as store:
        for day in range(1, 11):
            exercise = "bridge" if day % 2 else "butt_walk"
            report = make_report(exercise, steps=(5, 5) if exercise == "butt_walk" else None)
            store.save_report(report, source_kind="live" if day > 8 else "video",
                              started_at=datetime(2026, 11, day, 23, 30))  # late evening: still that local day
        days = [r.day.day for r in store.sessions(date_from=date(2026, 11, 3), date_to=date(2026, 11, 6))]
        assert days == [3, 4, 5, 6]
        assert [r.day.day for r in store.sessions(exercise="bridge")] == [1, 3, 5, 7, 9]
        assert [r.day.day for r in store.sessions(source_kind="live")] == [9, 10]
        assert [r.day.day for r in store.sessions(limit=3)] == [8, 9, 10]  # the latest, oldest first
        assert store.exercises() == ["bridge", "butt_walk"]


def test_the_same_video_is_one_session_holding_its_latest_analysis(db, tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00" * 1000)
    key = video_source_key(clip, "bridge")
    assert video_source_key(clip, "butt_walk") != key
    assert content_source_key("ab12", "bridge") not in (key, content_source_key("ab12", "butt_walk"))
    with SessionStore.open(db) as store:
        first = store.save_report(make_report(faulty=(1,)), started_at=datetime(2026, 11, 3, 9, 0), source_key=key)
        assert store.save_report(make_report(faulty=(1,)), source_key=key) == first  # a rerun: nothing new
        # Analysed again with other settings: the same session, now with the new result.
        again = make_report(reps=5, faulty=(2, 4))
        assert store.save_report(again, source_key=key) == first
        assert store.report(first) == again and store.fault_spans([first])[first] == again.faults
        record = store.session(first)
        assert record.reps == 5 and record.faulty_events == 2 and record.day == date(2026, 11, 3)
        assert len(store._db.execute("SELECT * FROM session_events WHERE session_id = ?", (first,)).fetchall()) == 5
        os.utime(clip, ns=(1, 1))  # recorded again (new modification time): a new session
        assert store.save_report(make_report(), source_key=video_source_key(clip, "bridge")) != first
        assert len(store.sessions()) == 2
        assert store.integrity_problems() == []


def test_a_save_that_fails_half_way_leaves_nothing_behind(db, monkeypatch):
    with SessionStore.open(db) as store:
        kept = store.save_report(make_report(faulty=(1,)))

        def broken(session_id, report):
            raise RuntimeError("disk trouble")

        monkeypatch.setattr(store, "_insert_events", broken)
        with pytest.raises(RuntimeError):
            store.save_report(make_report(faulty=(1, 2)))
        monkeypatch.undo()
        assert [r.id for r in store.sessions()] == [kept]
        assert store.save_report(make_report()) > kept  # still usable
    raw = _raw(db)
    assert raw.execute("SELECT count(*) FROM session_faults").fetchone()[0] == 1  # only the kept session's


def test_deleting_a_session_removes_its_faults_and_events(db):
    with SessionStore.open(db) as store:
        session_id = store.save_report(make_report(faulty=(1, 2)))
        assert store.delete_session(session_id) and not store.delete_session(session_id)
        assert store.integrity_problems() == []
    raw = _raw(db)
    assert raw.execute("SELECT count(*) FROM session_faults").fetchone()[0] == 0
    assert raw.execute("SELECT count(*) FROM session_events").fetchone()[0] == 0


def test_two_writers_at_once_lose_nothing(db):
    SessionStore.open(db).close()
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            with SessionStore.open(db) as store:
                for _ in range(25):
                    store.save_report(make_report(faulty=(1,)))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with SessionStore.open(db) as store:
        assert len(store.sessions()) == 75 and store.integrity_problems() == []


# ---------------------------------------------------------------------- killed mid-write
_WRITER = """
import sys, time
from datetime import datetime, timedelta
from formcheck.storage import SessionStore
from history_reports import make_report

path, stall_at = sys.argv[1], int(sys.argv[2])
store = SessionStore.open(path)
if stall_at:
    insert_events = SessionStore._insert_events
    def stalling(self, session_id, report):
        insert_events(self, session_id, report)
        if session_id == stall_at:
            print(f"writing {session_id}", flush=True)
            time.sleep(120)  # killed here: the session row and its faults are written, not committed
    SessionStore._insert_events = stalling
for i in range(100000):
    report = make_report(reps=1 + i % 7, faulty=(1,) if i % 2 else ())
    session_id = store.save_report(report, started_at=datetime(2026, 11, 1, 8) + timedelta(minutes=i))
    print(session_id, flush=True)
"""


def _writer(db: Path, stall_at: int = 0) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(TESTS_DIR), os.environ.get("PYTHONPATH")])))
    return subprocess.Popen([sys.executable, "-c", _WRITER, str(db), str(stall_at)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)


def _committed_lines(proc: subprocess.Popen, until) -> list[str]:
    lines = []
    try:
        while True:
            line = proc.stdout.readline()
            assert line, f"the writer stopped on its own: {proc.stderr.read()}"
            lines.append(line.strip())
            if until(lines):
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    return lines


def _assert_consistent(db: Path) -> list[int]:
    with SessionStore.open(db) as store:
        assert store.integrity_problems() == []
        records = store.sessions()
        for r in records:  # every session is whole: all of its events and faults, or not there at all
            report = store.report(r.id)
            assert r.counted_events == len(report.events)
        raw = store._db
        assert raw.execute("SELECT count(*) FROM session_events").fetchone()[0] == sum(r.counted_events for r in records)
        assert raw.execute("SELECT count(*) FROM session_faults").fetchone()[0] == sum(
            sum(r.fault_counts.values()) for r in records)
        store.save_report(make_report())  # and it takes new sessions
        return [r.id for r in records]


def test_a_writer_killed_in_a_write_loop_loses_nothing_committed(db):
    committed: set[int] = set()
    for round_ in range(3):  # kill at different points of the loop
        lines = _committed_lines(_writer(db), lambda lines: len(lines) >= 15 + 10 * round_)
        committed |= {int(x) for x in lines}
        saved = set(_assert_consistent(db))
        assert committed <= saved
    assert len(committed) >= 15 + 25 + 35


def test_a_writer_killed_inside_a_transaction_leaves_the_last_committed_state(db):
    lines = _committed_lines(_writer(db, stall_at=6), lambda lines: lines[-1].startswith("writing"))
    assert lines == ["1", "2", "3", "4", "5", "writing 6"]
    assert _assert_consistent(db) == [1, 2, 3, 4, 5]  # session 6 was never committed: it is not there
    with SessionStore.open(db) as store:
        assert store.report(6).reps == 3  # the check's own new save, not the killed one (reps 6)
        assert store._db.execute("SELECT count(*) FROM session_faults WHERE session_id = 6").fetchone()[0] == 0


# ---------------------------------------------------------------------- migrations
# The schema exactly as formcheck first shipped it (version 1), with a session saved by that
# version. Kept as a literal copy on purpose: editing migration 1 in schema.py breaks this test.
_V1_SCHEMA = """
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY, started_utc TEXT NOT NULL, day TEXT NOT NULL, exercise TEXT NOT NULL,
    title TEXT NOT NULL, source_kind TEXT NOT NULL CHECK (source_kind IN ('video', 'live')), source TEXT,
    duration_s REAL NOT NULL, reps INTEGER NOT NULL, partials INTEGER NOT NULL, complete INTEGER NOT NULL,
    report_json TEXT NOT NULL
);
CREATE INDEX sessions_by_day ON sessions (day, started_utc);
CREATE INDEX sessions_by_exercise ON sessions (exercise, day);
CREATE TABLE session_faults (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE, fault TEXT NOT NULL,
    start_s REAL NOT NULL, end_s REAL NOT NULL, message TEXT NOT NULL
);
CREATE INDEX session_faults_by_session ON session_faults (session_id);
PRAGMA user_version = 1;
"""


def _v1_database(path: Path) -> list:
    reports = [make_report("bridge", reps=4, hold_s=2.0, faulty=(1, 3)),
               make_report("butt_walk", steps=(8, 8), faulty=(2,))]
    raw = _raw(path)
    raw.executescript(_V1_SCHEMA)
    for i, report in enumerate(reports, start=1):
        raw.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?, 'video', ?, ?, ?, ?, 1, ?)",
                    (i, f"2026-10-0{i}T09:00:00+00:00", f"2026-10-0{i}", report.exercise, report.title, report.source,
                     report.duration_s, report.reps, report.partials, report.to_json(indent=None)))
        raw.executemany("INSERT INTO session_faults VALUES (?, ?, ?, ?, ?)",
                        [(i, f.fault, f.start_s, f.end_s, f.message) for f in report.faults])
    raw.commit()
    raw.close()
    return reports


def test_a_version_1_database_is_migrated_with_its_sessions(db):
    reports = _v1_database(db)
    with SessionStore.open(db) as store:
        assert store.schema_version == LATEST_VERSION == 3
        bridge, walk = store.sessions()
        assert store.report(bridge.id) == reports[0] and store.report(walk.id) == reports[1]
        # Filled in from the stored reports by the migration:
        assert (bridge.counted_events, bridge.faulty_events, bridge.hold_total_s) == (4, 2, 8.0)
        assert bridge.hold_target_s == 2.0 and bridge.fault_counts == {"hips_sag": 2}
        assert (walk.counted_events, walk.faulty_events, walk.steps) == (16, 1, {"forward": 8, "backward": 8})
        events = store._db.execute("SELECT kind, idx, faults FROM session_events WHERE session_id = 1 ORDER BY idx"
                                   ).fetchall()
        assert events == [("hold", 1, "hips_sag"), ("hold", 2, ""), ("hold", 3, "hips_sag"), ("hold", 4, "")]
        assert store.integrity_problems() == []
        store.save_report(make_report(), routine="low_back_basics")  # the new columns work
        assert store.sessions()[-1].routine == "low_back_basics"


def test_a_failing_migration_leaves_the_old_database_untouched(db, monkeypatch):
    _v1_database(db)
    broken = store_module.MIGRATIONS[:1] + (
        Migration(2, "half-good", ("ALTER TABLE sessions ADD COLUMN routine TEXT", "THIS IS NOT SQL")),)
    monkeypatch.setattr(store_module, "MIGRATIONS", broken)
    with pytest.raises(StorageError, match="could not upgrade the history to schema version 2 .*left as it was"):
        SessionStore.open(db)
    raw = _raw(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 1
    columns = [row[1] for row in raw.execute("PRAGMA table_info(sessions)")]
    assert "routine" not in columns and raw.execute("SELECT count(*) FROM sessions").fetchone()[0] == 2
    monkeypatch.undo()
    with SessionStore.open(db) as store:  # the real migration still runs afterwards
        assert store.schema_version == LATEST_VERSION and len(store.sessions()) == 2


# ---------------------------------------------------------------------- progress
def test_weekly_targets_from_the_specs_frequency_text():
    assert weekly_target("3-4 times a week") == 3
    assert weekly_target("8-10 walks forward and backward for 2-3 sets, at least 3-4 times a week") == 3
    assert weekly_target("twice a day") is None and weekly_target(None) is None
    assert weekly_target("daily or as prescribed") == 7
    targets = {spec_id: weekly_target(spec.dosage.frequency) for spec_id, spec in load_all_specs().items()}
    assert targets["butt_walk"] == 3 and targets["seated_side_stretch"] == 3 and targets["bridge"] == 3


def test_totals_per_day_and_week(db):
    with SessionStore.open(db) as store:
        for day, reps, faulty in ((0, 10, (1, 2)), (0, 5, ()), (2, 8, (1,)), (7, 10, ())):
            store.save_report(make_report(reps=reps, faulty=faulty, hold_s=2.0),
                              started_at=datetime.combine(MONDAY + timedelta(days=day), datetime.min.time()))
        store.save_report(make_report("butt_walk", steps=(10, 9)), started_at=datetime(2026, 11, 3, 9))
        records = store.sessions()
    daily = period_totals(records, "day")
    first = daily[0]
    assert (first.period_start, first.exercise, first.sessions, first.reps) == (MONDAY, "bridge", 2, 15)
    assert first.hold_s == 30.0 and first.fault_rate == pytest.approx(2 / 15)
    weekly = [w for w in period_totals(records, "week") if w.exercise == "bridge"]
    assert [(w.period_start, w.sessions, w.practice_days, w.reps) for w in weekly] == [
        (MONDAY, 3, 2, 23), (MONDAY + timedelta(days=7), 1, 1, 10)]
    walk = [w for w in period_totals(records, "week") if w.exercise == "butt_walk"][0]
    assert walk.steps == 19 and walk.reps == 0


def test_streaks_count_days_and_weeks_that_meet_the_target():
    days = [MONDAY + timedelta(days=d) for d in (0, 1, 2, 7, 9, 11, 14, 15, 16)]
    streaks = practice_streaks(days, today=MONDAY + timedelta(days=17), weekly_target=3)
    assert streaks.current_days == 3  # 14-16; today (17) is not over yet
    assert streaks.longest_days == 3 and streaks.current_weeks == 3  # this week already has 3 days
    assert practice_streaks(days, today=MONDAY + timedelta(days=18), weekly_target=3).current_days == 0
    assert practice_streaks(days[:6], today=MONDAY + timedelta(days=15), weekly_target=3).current_weeks == 2
    assert practice_streaks([], today=MONDAY).current_days == 0
    assert week_start(MONDAY + timedelta(days=6)) == MONDAY


def test_this_week_against_the_prescribed_frequency(db):
    with SessionStore.open(db) as store:
        for day in (0, 0, 2):
            store.save_report(make_report(), started_at=datetime.combine(MONDAY + timedelta(days=day),
                                                                         datetime.min.time()))
        store.save_report(make_report(), started_at=datetime(2026, 10, 30, 9))  # last week
        records = store.sessions()
    week = {w.exercise: w for w in this_week(records, MONDAY + timedelta(days=3), {"bridge": 3, "butt_walk": 3,
                                                                                     "cat_cow": None})}
    assert set(week) == {"bridge", "butt_walk"}
    assert (week["bridge"].sessions, week["bridge"].practice_days, week["bridge"].on_track) == (3, 2, False)
    assert week["butt_walk"].practice_days == 0 and week["butt_walk"].on_track is False
