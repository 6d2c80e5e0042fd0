"""The bundled sample clips (`sample_videos/*.mp4` with a `<clip>.json` sidecar naming the exercise)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

from .cache_keys import FolderSignature, folder_signature

SAMPLES_DIR_ENV = "FORMCHECK_SAMPLES_DIR"
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".avi")


@dataclass(frozen=True)
class SampleClip:
    path: Path
    exercise: str

    @cached_property
    def sidecar(self) -> dict[str, Any]:
        """Read when first needed: a sidecar carries ground truth (hundreds of kB), and the app's first
        page needs it for the clips of one exercise only."""
        try:
            sidecar = json.loads(self.path.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return sidecar if isinstance(sidecar, dict) else {}

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def clean(self) -> bool:
        """A clip of the exercise done well (the renderer names those `<exercise>_clean`)."""
        if "clean" in self.sidecar:
            return bool(self.sidecar["clean"])
        return self.name.endswith("_clean") or self.sidecar.get("variant") == "clean"

    @property
    def expected_reps(self) -> int | None:
        reps = self.sidecar.get("reps")
        return reps if isinstance(reps, int) else None


def default_samples_dir() -> Path:
    override = os.environ.get(SAMPLES_DIR_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "sample_videos"


# The exercise is among a sidecar's first keys: found in its first few kB without parsing the rest.
_EXERCISE = re.compile(r'^\{\s*(?:"(?:clip|description)"\s*:\s*"(?:[^"\\]|\\.)*"\s*,\s*)*"exercise"\s*:\s*"([a-z0-9_]+)"')
_HEAD_BYTES = 4096


def list_samples(directory: str | Path | None = None) -> list[SampleClip]:
    """Clips with a readable sidecar that names an exercise, sorted by name; others are skipped
    (the renderer writes the mp4 before its sidecar, so a half-written pair must not break the app)."""
    folder = Path(directory) if directory is not None else default_samples_dir()
    if not folder.is_dir():
        return []
    clips = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES):
        exercise = _exercise_of(path.with_suffix(".json"))
        if exercise is not None:
            clips.append(SampleClip(path, exercise))
    return clips


def _exercise_of(sidecar_path: Path) -> str | None:
    """The exercise a sidecar names, or None if it names none or is not (yet) a whole JSON object."""
    try:
        with open(sidecar_path, "rb") as file:
            head = file.read(_HEAD_BYTES).decode("utf-8", errors="replace")
            file.seek(0, os.SEEK_END)
            file.seek(max(0, file.tell() - 16))
            complete = file.read().rstrip().endswith(b"}")
        found = _EXERCISE.match(head)
        if found and complete:
            return found.group(1)
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    exercise = sidecar.get("exercise") if isinstance(sidecar, dict) else None
    return exercise if isinstance(exercise, str) else None


# Shown first: the seed programme's best-known exercise, whose spec is tuned on its clips.
FIRST_EXERCISE = "prone_press_up"


def default_sample(clips: Iterable[SampleClip], known_exercises: Iterable[str]) -> SampleClip | None:
    """The clean press-up clip if there is one, else the first clean clip of an exercise that has a
    spec, else the first such clip at all."""
    known = set(known_exercises)
    usable = [c for c in clips if c.exercise in known]
    usable.sort(key=lambda c: c.exercise != FIRST_EXERCISE)  # stable: name order otherwise
    return next((c for c in usable if c.clean), usable[0] if usable else None)


def samples_signature(directory: str | Path | None = None) -> FolderSignature:
    """What `cached_samples` is keyed on, so a clip the renderer adds or replaces shows up at the next rerun."""
    return folder_signature(Path(directory) if directory is not None else default_samples_dir())

