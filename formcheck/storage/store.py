"""The session history: a local SQLite file holding every finished live session and analysed video.

Completed work must never be lost, so: WAL journal with synchronous=FULL (a commit is on disk
before save_report returns, and a process killed mid-write leaves the last committed state), each
save is one transaction, and the schema is migrated forward in place (see schema.py).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator, Literal

import platformdirs

from ..report import FaultSpan, Report
from .schema import LATEST_VERSION, MIGRATIONS

DB_ENV = "FORMCHECK_DB"
DB_FILENAME = "history.sqlite3"
SourceKind = Literal["video", "live"]
_BUSY_TIMEOUT_S = 10.0  # the app and the CLI may write at the same moment
_IDS_PER_QUERY = 500  # well under SQLite's limit on bound parameters


class StorageError(Exception):
    """A history database that cannot be used; the message names the file and the problem."""


def video_source_key(path: str | Path, exercise: str) -> str:
    """The same recording analysed as the same exercise gives the same key: the file's resolved
    path, size and modification time."""
    resolved = Path(path).resolve()
    stat = resolved.stat()
    text = f"video\0{resolved}\0{stat.st_size}\0{stat.st_mtime_ns}\0{exercise}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def content_source_key(digest: str, exercise: str) -> str:
    """The key of a recording known by its content's hash (an upload) analysed as `exercise`."""
    return hashlib.sha256(f"content\0{digest}\0{exercise}".encode()).hexdigest()


def default_db_path() -> Path:
    """$FORMCHECK_DB, else history.sqlite3 in the user's data folder (on Linux $XDG_DATA_HOME/formcheck
    or ~/.local/share/formcheck; ~/Library/Application Support/formcheck on macOS; the roaming
    AppData folder on Windows)."""
    override = os.environ.get(DB_ENV)
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path("formcheck", appauthor=False, roaming=True) / DB_FILENAME


@dataclass(frozen=True)
class SessionRecord:
    """One saved session as the history list, the progress page and the exports see it."""

    id: int
    started_at: datetime  # local time, timezone-aware
    day: date  # the local calendar day it belongs to
    exercise: str
    title: str
    source_kind: str
    source: str | None
    duration_s: float
    reps: int
    partials: int
    reps_by_side: dict[str, int] | None
    steps: dict[str, int] | None
    sets: int | None
    hold_target_s: float | None
    hold_total_s: float
    counted_events: int  # repetitions, holds and steps
    faulty_events: int  # of those, the ones with at least one fault
    fault_counts: dict[str, int]
    complete: bool
    routine: str | None
    patient: str | None = None  # whose session, in a clinic's history (see `formcheck batch`)

    @property
    def fault_rate(self) -> float | None:
        """Share of counted repetitions/holds/steps that had a form fault (None if nothing was counted)."""
        return self.faulty_events / self.counted_events if self.counted_events else None


_RECORD_COLUMNS = """
    id, started_utc, day, exercise, title, source_kind, source, duration_s, reps, partials,
    json_extract(report_json, '$.reps_by_side'), json_extract(report_json, '$.steps'),
    json_extract(report_json, '$.sets'), hold_target_s, hold_total_s, counted_events, faulty_events,
    json_extract(report_json, '$.fault_counts'), complete, routine, patient
"""


def _record(row: tuple) -> SessionRecord:
    (sid, started_utc, day, exercise, title, source_kind, source, duration_s, reps, partials, by_side, steps,
     sets, hold_target_s, hold_total_s, counted, faulty, fault_counts, complete, routine, patient) = row
    return SessionRecord(
        id=sid, started_at=datetime.fromisoformat(started_utc).astimezone(), day=date.fromisoformat(day),
        exercise=exercise, title=title, source_kind=source_kind, source=source, duration_s=duration_s,
        reps=reps, partials=partials, reps_by_side=json.loads(by_side) if by_side else None,
        steps=json.loads(steps) if steps else None, sets=sets, hold_target_s=hold_target_s,
        hold_total_s=hold_total_s, counted_events=counted, faulty_events=faulty,
        fault_counts=json.loads(fault_counts) if fault_counts else {}, complete=bool(complete), routine=routine,
        patient=patient,
    )


class SessionStore:
    """Open with `SessionStore.open(path)`; safe to share between threads (one lock per store)."""

    def __init__(self, connection: sqlite3.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        self._lock = threading.RLock()

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(cls, path: str | Path | None = None) -> "SessionStore":
        """Open (creating if needed) and migrate the history database at `path` (default: default_db_path())."""
        path = Path(path).expanduser() if path is not None else default_db_path()
        if path.is_dir():
            raise StorageError(f"{path}: is a folder, not a history database file")
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Health data: a new history is readable by its owner only (SQLite gives its -wal and
            # -shm files the same permissions).
            if not path.exists():
                with suppress(FileExistsError):  # another process made it meanwhile
                    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
            # isolation_level=None: transactions are begun and ended explicitly below, never implicitly.
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False,
                                         timeout=_BUSY_TIMEOUT_S)
        except (OSError, sqlite3.Error) as exc:
            raise StorageError(f"{path}: cannot open the history database: {exc}") from None
        store = cls(connection, path)
        try:
            store._configure()
            store._migrate()
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise StorageError(f"{path}: not a usable formcheck history database ({exc})") from None
        except StorageError:
            connection.close()
            raise
        return store

    def _configure(self) -> None:
        self._db.execute("PRAGMA foreign_keys = ON")
        self._db.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed session survives a power cut too, not only a killed process.
        self._db.execute("PRAGMA synchronous = FULL")

    def _migrate(self) -> None:
        found = self.schema_version
        if found > LATEST_VERSION:
            raise StorageError(f"{self.path}: written by a newer formcheck (schema version {found}; "
                               f"this one knows up to {LATEST_VERSION})")
        for migration in MIGRATIONS:
            if migration.version <= found:
                continue
            try:
                with self._lock, self._transaction():
                    # Read again inside the write lock: another process may have migrated meanwhile.
                    if self.schema_version >= migration.version:
                        continue
                    for statement in migration.statements:
                        self._db.execute(statement)
                    self._db.execute(f"PRAGMA user_version = {migration.version:d}")
            except sqlite3.Error as exc:
                raise StorageError(f"{self.path}: could not upgrade the history to schema version "
                                   f"{migration.version} ({exc}); the file was left as it was") from None

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        # IMMEDIATE takes the write lock up front, so a concurrent writer waits instead of failing mid-way.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:  # also when COMMIT itself failed (e.g. disk full)
                self._db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "SessionStore":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def save_report(self, report: Report, source_kind: SourceKind = "video", started_at: datetime | None = None,
                    routine: str | None = None, source_key: str | None = None, patient: str | None = None) -> int:
        """Save one finished session in one transaction and return its id. `started_at` is when the
        session began (default: now); a naive datetime is taken as local time. `patient` says whose
        session it is, in a history kept for many people.

        A session is saved once per `source_key` (see video_source_key): the same report again is
        not saved twice, and a new analysis of the same recording (another hold target, an edited
        spec) replaces the earlier one in place, keeping its id and date."""
        if source_kind not in ("video", "live"):
            raise ValueError(f"source_kind must be 'video' or 'live', not {source_kind!r}")
        local = (started_at or datetime.now()).astimezone()
        counted = [e for e in report.events if e.kind in ("rep", "hold", "step")]
        report_json = report.to_json(indent=None)
        # What the analysis found: written by a first save, rewritten by a new analysis of the same recording.
        found = {
            "exercise": report.exercise, "title": report.title, "source": report.source,
            "duration_s": report.duration_s, "reps": report.reps, "partials": report.partials,
            "complete": int(report.complete), "report_json": report_json, "hold_target_s": report.hold_target_s,
            "hold_total_s": round(sum(e.duration_s or 0.0 for e in report.events if e.kind in ("rep", "hold")), 3),
            "counted_events": len(counted), "faulty_events": sum(1 for e in counted if e.faults),
        }
        with self._lock, self._transaction():
            known = None if source_key is None else self._db.execute(
                "SELECT id, report_json, patient FROM sessions WHERE source_key = ?", (source_key,)).fetchone()
            if known and known[1] == report_json and patient in (None, known[2]):
                return int(known[0])
            if known:
                session_id = int(known[0])
                # A routine or patient given now is kept; one not given leaves the earlier one as it was.
                self._db.execute(
                    f"UPDATE sessions SET {', '.join(f'{c} = ?' for c in found)}, routine = COALESCE(?, routine), "
                    "patient = COALESCE(?, patient) WHERE id = ?", (*found.values(), routine, patient, session_id))
                self._db.execute("DELETE FROM session_faults WHERE session_id = ?", (session_id,))
                self._db.execute("DELETE FROM session_events WHERE session_id = ?", (session_id,))
            else:
                row = {"started_utc": local.astimezone(timezone.utc).isoformat(timespec="seconds"),
                       "day": local.date().isoformat(), "source_kind": source_kind, **found, "routine": routine,
                       "source_key": source_key, "patient": patient}
                cursor = self._db.execute(f"INSERT INTO sessions ({', '.join(row)}) VALUES "
                                          f"({', '.join('?' * len(row))})", tuple(row.values()))
                session_id = int(cursor.lastrowid)
            self._insert_faults(session_id, report)
            self._insert_events(session_id, report)
        return session_id

    def _insert_faults(self, session_id: int, report: Report) -> None:
        self._db.executemany(
            "INSERT INTO session_faults (session_id, fault, start_s, end_s, message) VALUES (?, ?, ?, ?, ?)",
            [(session_id, f.fault, f.start_s, f.end_s, f.message) for f in report.faults],
        )

    def _insert_events(self, session_id: int, report: Report) -> None:
        self._db.executemany(
            """INSERT INTO session_events (session_id, kind, idx, start_s, end_s, side, duration_s, direction, faults)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(session_id, e.kind, e.index, e.start_s, e.end_s, e.side, e.duration_s, e.direction, ";".join(e.faults))
             for e in report.events],
        )

    def delete_session(self, session_id: int) -> bool:
        """Remove a session (e.g. a recording made by mistake); its faults and events go with it."""
        with self._lock, self._transaction():
            return self._db.execute("DELETE FROM sessions WHERE id = ?", (session_id,)).rowcount > 0

    # ------------------------------------------------------------------ reading
    def sessions(self, date_from: date | None = None, date_to: date | None = None, exercise: str | None = None,
                 source_kind: SourceKind | None = None, limit: int | None = None,
                 patient: str | None = None) -> list[SessionRecord]:
        """Sessions in chronological order, filtered by local day (both ends included), exercise,
        source and patient; `limit` keeps the most recent ones."""
        where, params = [], []
        for clause, value in (("day >= ?", date_from and date_from.isoformat()),
                              ("day <= ?", date_to and date_to.isoformat()),
                              ("exercise = ?", exercise), ("source_kind = ?", source_kind),
                              ("patient = ?", patient)):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = f"SELECT {_RECORD_COLUMNS} FROM sessions"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY started_utc DESC, id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        with self._lock:
            rows = self._db.execute(sql, params).fetchall()
        return [_record(row) for row in reversed(rows)]

    def session(self, session_id: int) -> SessionRecord | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_RECORD_COLUMNS} FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return _record(row) if row else None

    def report(self, session_id: int) -> Report | None:
        """The full report exactly as it was saved."""
        with self._lock:
            row = self._db.execute("SELECT report_json FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return Report.model_validate_json(row[0]) if row else None

    def fault_spans(self, session_ids: list[int]) -> dict[int, list[FaultSpan]]:
        """Each session's fault spans in time order, read from their own table (no report parsing)."""
        spans: dict[int, list[FaultSpan]] = {sid: [] for sid in session_ids}
        ids = list(spans)
        for first in range(0, len(ids), _IDS_PER_QUERY):
            chunk = ids[first:first + _IDS_PER_QUERY]
            with self._lock:
                rows = self._db.execute(
                    f"SELECT session_id, fault, start_s, end_s, message FROM session_faults "
                    f"WHERE session_id IN ({','.join('?' * len(chunk))}) ORDER BY session_id, rowid", chunk).fetchall()
            for sid, fault, start_s, end_s, message in rows:
                spans[sid].append(FaultSpan(fault=fault, start_s=start_s, end_s=end_s, message=message))
        return spans

    def exercises(self) -> list[str]:
        """Exercise ids with at least one saved session."""
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT DISTINCT exercise FROM sessions ORDER BY exercise")]

    def integrity_problems(self) -> list[str]:
        """Empty when SQLite's integrity check and the foreign keys are fine."""
        with self._lock:
            result = [r[0] for r in self._db.execute("PRAGMA integrity_check")]
            broken = self._db.execute("PRAGMA foreign_key_check").fetchall()
        problems = [] if result == ["ok"] else result
        return problems + [f"dangling row in {table} (rowid {rowid})" for table, rowid, *_ in broken]
