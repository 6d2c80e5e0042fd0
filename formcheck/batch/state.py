"""What a batch has done so far, kept in its output folder so that a re-run skips it.

The journal is a JSON-lines file: one line per finished video, appended and flushed to disk after
the video's files are in place, so a batch killed at any moment has a journal that lists only work
whose outputs exist (a torn last line is ignored). Every output file is written atomically: to a
temporary file in the same folder, then renamed over the target.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Iterator

from .manifest import BatchInputError

JOURNAL_NAME = "batch_journal.jsonl"
LOCK_NAME = ".batch.lock"


def write_atomic(path: Path, data: bytes | str) -> None:
    """Write the whole of `data` to `path`, or leave what was there: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data.encode("utf-8") if isinstance(data, str) else data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise


@contextmanager
def atomic_target(path: Path) -> Iterator[Path]:
    """A temporary path to write a file to (by a library that takes a path); moved to `path` when
    the block ends without an error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        with suppress(OSError):
            os.unlink(tmp)


class Journal:
    def __init__(self, out: Path) -> None:
        self.path = out / JOURNAL_NAME

    def load(self) -> dict[tuple[str, str], dict]:
        """The latest record of each (video, exercise)."""
        records: dict[tuple[str, str], dict] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return records
        for line in lines:
            try:
                record = json.loads(line)
                records[(record["video_abs"], record["exercise"])] = record
            except (ValueError, KeyError, TypeError):
                continue  # a line torn by a kill mid-write: that video is simply done again
        return records

    def append(self, record: dict) -> None:
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps(record, separators=(",", ":")) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def rewrite(self, records: list[dict]) -> None:
        """Keep one line per video (re-runs append; this stops the file from growing)."""
        write_atomic(self.path, "".join(json.dumps(r, separators=(",", ":")) + "\n" for r in records))


@contextmanager
def exclusive(out: Path) -> Iterator[None]:
    """One batch at a time per output folder: two writing the same journal would lose lines."""
    out.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; run one batch per folder
        yield
        return
    with open(out / LOCK_NAME, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise BatchInputError(f"{out}: another formcheck batch is writing to this folder") from None
        yield
