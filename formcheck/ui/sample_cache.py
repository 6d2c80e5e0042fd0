"""Analysed sample clips kept on disk, so that a new start of the app opens on an analysed sample at
once instead of spending most of a minute analysing it again.

An entry is keyed on the clip's content, the spec's content and the code that analyses it
(formcheck's version and the digest of its own source, the pose model's package version): change
any of them and the entry is simply not found. Only the bundled samples are kept; a user's own
uploads never touch the disk beyond their analysis.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import formcheck
from formcheck.batch.jobs import file_sha256
from formcheck.pose.bundle import cache_dir
from formcheck.report import Report

FOLDER = "analysed-samples"
MAX_ENTRIES = 60  # about 3 MB each (mostly the annotated video): the bundled samples with room to spare
_FILE_DIGESTS: dict[tuple[str, int, int], str] = {}


@dataclass(frozen=True)
class CachedAnalysis:
    report: Report
    annotated_mp4: bytes | None
    times: tuple[float, ...]
    values: tuple[float | None, ...]


# formcheck's own code that plays no part in analysing a video (the app, the history, batches)
_NOT_ANALYSIS = ("ui", "storage", "batch", "evaluation")


@lru_cache(maxsize=1)
def code_version() -> str:
    """formcheck's version, a digest of the source files that analyse a video and the pose model's
    package version."""
    package = Path(formcheck.__file__).resolve().parent
    digest = hashlib.sha256(formcheck.__version__.encode())
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.parts[0] in _NOT_ANALYSIS:
            continue
        digest.update(relative.as_posix().encode())
        digest.update(path.read_bytes())
    try:
        digest.update(metadata.version("mediapipe").encode())
    except metadata.PackageNotFoundError:
        pass
    return digest.hexdigest()[:16]


def file_digest(path: Path) -> str:
    """The content's digest, remembered while the file's size and modification time stay the same."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    if key not in _FILE_DIGESTS:
        _FILE_DIGESTS[key] = file_sha256(path)
    return _FILE_DIGESTS[key]


def entry_key(clip: Path, spec_key: str) -> str:
    return hashlib.sha256(f"{file_digest(clip)}:{spec_key}:{code_version()}".encode()).hexdigest()[:32]


def folder() -> Path:
    return cache_dir() / FOLDER


def load(key: str) -> CachedAnalysis | None:
    """The entry, or None if it is missing or unreadable (it is then analysed again)."""
    entry = folder() / key
    try:
        report = Report.model_validate_json((entry / "report.json").read_text(encoding="utf-8"))
        series = json.loads((entry / "series.json").read_text(encoding="utf-8"))
        video = entry / "annotated.mp4"
        mp4 = video.read_bytes() if video.is_file() else None
        os.utime(entry)  # recently used: kept longest
    except (OSError, ValueError):
        return None
    return CachedAnalysis(report, mp4, tuple(series["times"]), tuple(series["values"]))


def store(key: str, analysis: CachedAnalysis) -> None:
    """Written whole or not at all (a folder renamed into place); a cache that cannot be written
    is no error, only a slower next start."""
    root = folder()
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".new-", dir=root))
        (staging / "report.json").write_text(analysis.report.model_dump_json(), encoding="utf-8")
        (staging / "series.json").write_text(json.dumps({"times": analysis.times, "values": analysis.values}),
                                             encoding="utf-8")
        if analysis.annotated_mp4 is not None:
            (staging / "annotated.mp4").write_bytes(analysis.annotated_mp4)
        target = root / key
        if target.exists():
            shutil.rmtree(staging, ignore_errors=True)
            return
        staging.rename(target)
        _prune(root)
    except OSError:
        return


def _prune(root: Path) -> None:
    """The least recently used entries beyond MAX_ENTRIES go, and so do stale half-written ones."""
    folders = [p for p in root.iterdir() if p.is_dir()]
    entries = sorted((p for p in folders if not p.name.startswith(".")), key=lambda p: p.stat().st_mtime)
    stale = [p for p in folders if p.name.startswith(".new-") and time.time() - p.stat().st_mtime > 3600]
    for old in entries[:-MAX_ENTRIES] + stale:
        shutil.rmtree(old, ignore_errors=True)
