"""What a batch analyses: the videos of a folder, or the rows of a manifest CSV.

Every problem with the list itself (a missing folder, a bad row, an unknown exercise) is found here,
before anything runs, and raised as BatchInputError with one line naming the file and the row. A
video that cannot be read is not such a problem: it becomes a failed row of the batch, like any
other video that fails.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Iterable

VIDEO_SUFFIXES = frozenset({".mp4", ".mov", ".m4v", ".webm", ".mkv", ".avi"})

# Header names accepted for each manifest column (compared in lower case, spaces and dashes as '_').
_COLUMNS = {
    "video": ("video", "video_path", "path", "file"),
    "exercise": ("exercise", "exercise_id"),
    "patient": ("patient", "patient_id"),
    "date": ("date", "recorded", "recording_date", "recorded_at"),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class BatchInputError(Exception):
    """The batch's input cannot be used; the message is one line naming the file and the problem."""


@dataclass(frozen=True)
class BatchItem:
    """One video to analyse as one exercise."""

    video: Path  # as the user gave it (relative to the working folder or absolute): the report's source
    exercise: str
    patient: str | None = None
    recorded: datetime | date | None = None  # when it was recorded, if the manifest says
    origin: str = ""  # where it was listed, for messages: "manifest.csv line 4" or the folder


def items_from_folder(folder: Path, exercise: str | None, known: Iterable[str]) -> list[BatchItem]:
    """Every video under `folder` (recursively, in path order). The exercise is `exercise` if given,
    else the name of the nearest folder (below `folder`, or `folder` itself) named after an exercise:
    bridge/clip1.mp4, or alice/bridge/2026-11-03.mp4."""
    if not folder.exists():
        raise BatchInputError(f"{folder}: folder not found")
    if not folder.is_dir():
        raise BatchInputError(f"{folder}: not a folder (give a folder of videos or a manifest .csv)")
    known = set(known)
    videos = sorted(p for p in folder.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    if not videos:
        raise BatchInputError(f"{folder}: no video files found ({', '.join(sorted(VIDEO_SUFFIXES))})")
    items = []
    for video in videos:
        chosen = exercise or _exercise_from_folders(video, folder, known)
        if chosen is None:
            raise BatchInputError(
                f"{video}: no exercise for this video: give --exercise, a manifest, or put the videos in "
                f"folders named after their exercise (e.g. {folder / 'bridge'})")
        items.append(BatchItem(video=video, exercise=chosen, origin=str(folder)))
    return items


def _exercise_from_folders(video: Path, root: Path, known: set[str]) -> str | None:
    for parent in video.relative_to(root).parents:
        name = (root / parent).name
        if name in known:
            return name
    return None


def items_from_manifest(manifest: Path, exercise: str | None, known: Iterable[str]) -> list[BatchItem]:
    """The rows of a manifest CSV: a header row, then one video per row. Columns: video (required;
    relative paths are relative to the manifest's folder), exercise (required unless --exercise is
    given or the video sits in a folder named after its exercise), patient and date (optional;
    YYYY-MM-DD or an ISO date and time)."""
    known = set(known)
    try:
        text = manifest.read_text(encoding="utf-8-sig")  # -sig: spreadsheets often save a BOM
    except FileNotFoundError:
        raise BatchInputError(f"{manifest}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BatchInputError(f"{manifest}: cannot read: {exc}") from None
    rows = csv.reader(text.splitlines())
    header = next(rows, None)
    if not header:
        raise BatchInputError(f"{manifest}: empty; the first row names the columns (video, exercise, patient, date)")
    columns = _columns(manifest, header)
    base = manifest.parent
    items: list[BatchItem] = []
    seen: dict[tuple[Path, str], int] = {}
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed
        where = f"{manifest} line {line}"
        if len(row) > len(header):
            raise BatchInputError(f"{where}: {len(row)} fields, but the header names {len(header)} columns")
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in columns.items()}
        if not cells.get("video"):
            raise BatchInputError(f"{where}: no video path")
        video = Path(cells["video"]).expanduser()
        video = video if video.is_absolute() else base / video
        chosen = cells.get("exercise") or exercise or next(
            (p.name for p in video.resolve().parents if p.name in known), None)
        if not chosen:
            raise BatchInputError(f"{where}: no exercise (add an exercise column or give --exercise)")
        if chosen not in known:
            raise BatchInputError(f"{where}: unknown exercise '{chosen}' (known: {', '.join(sorted(known))})")
        recorded = _parse_when(cells.get("date") or "", where)
        key = (video.resolve(), chosen)
        if key in seen:
            raise BatchInputError(f"{where}: {video} as {chosen} is already listed on line {seen[key]}")
        seen[key] = line
        items.append(BatchItem(video=video, exercise=chosen, patient=cells.get("patient") or None,
                               recorded=recorded, origin=where))
    if not items:
        raise BatchInputError(f"{manifest}: no videos listed")
    return items


def _columns(manifest: Path, header: list[str]) -> dict[str, int]:
    aliases = {alias: name for name, names in _COLUMNS.items() for alias in names}
    columns: dict[str, int] = {}
    for i, title in enumerate(header):
        label = re.sub(r"[\s-]+", "_", title.strip().lower())
        name = aliases.get(label)
        if name is None:
            # Unknown columns are refused rather than ignored: a misspelt "patient" column would
            # otherwise file every session under nobody.
            raise BatchInputError(f"{manifest}: unknown column '{title.strip()}' (the columns are video, "
                                  "exercise, patient and date)")
        if name in columns:
            raise BatchInputError(f"{manifest}: the column '{name}' is given twice")
        columns[name] = i
    if "video" not in columns:
        raise BatchInputError(f"{manifest}: no 'video' column (the first row names the columns: video, exercise, "
                              "patient, date)")
    return columns


def _parse_when(text: str, where: str) -> datetime | date | None:
    if not text:
        return None
    try:
        if _DATE.fullmatch(text):
            return date.fromisoformat(text)
        if _DATE.match(text):
            return datetime.fromisoformat(text)
    except ValueError:
        pass
    raise BatchInputError(f"{where}: date '{text}' is not a date; write it as YYYY-MM-DD (or YYYY-MM-DDTHH:MM)")
