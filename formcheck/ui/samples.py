"""The bundled sample clips (`sample_videos/*.mp4` with a `<clip>.json` sidecar naming the exercise)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .cache_keys import FolderSignature, folder_signature

SAMPLES_DIR_ENV = "FORMCHECK_SAMPLES_DIR"
VIDEO_SUFFIXES = (".mp4", ".mov", ".webm", ".avi")


@dataclass(frozen=True)
class SampleClip:
    path: Path
    exercise: str
    sidecar: dict[str, Any]

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


def list_samples(directory: str | Path | None = None) -> list[SampleClip]:
    """Clips with a readable sidecar that names an exercise, sorted by name; others are skipped
    (the renderer writes the mp4 before its sidecar, so a half-written pair must not break the app)."""
    folder = Path(directory) if directory is not None else default_samples_dir()
    if not folder.is_dir():
        return []
    clips = []
    for path in sorted(p for p in folder.iterdir() if p.suffix.lower() in VIDEO_SUFFIXES):
        try:
            sidecar = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(sidecar, dict) and isinstance(sidecar.get("exercise"), str):
            clips.append(SampleClip(path, sidecar["exercise"], sidecar))
    return clips


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

