"""Routines: a whole home programme as one YAML file (`exercise_specs/routines/<id>.yaml`).

A routine lists exercises in order, each with sets, repetitions (holds, or steps each way for butt
walks), an optional hold time and the rest after each set. Counts may be a range ("8-10") as
prescriptions often are: the upper end is the target, reaching the lower end counts as done.
Routines are validated on load against the exercise specs, with one-line messages naming the file
and the field, like the specs themselves.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from .specs import ExerciseSpec, SpecError, StepMotion, default_specs_dir, load_all_specs
from .specs.schema import ID_PATTERN
from .specs.loader import load_yaml_model  # the specs' file handling and message style

ROUTINES_SUBDIR = "routines"
_RANGE = re.compile(r"^\s*(\d+)\s*(?:-|–|to)\s*(\d+)\s*$")


class RoutineError(SpecError):
    """A routine that cannot be used; the message names the file, the field and the problem."""


class CountRange(BaseModel):
    """A whole number or a range written "8-10"."""

    model_config = ConfigDict(frozen=True)
    low: int = Field(ge=1, le=500)
    high: int = Field(ge=1, le=500)

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("must be a whole number or a range such as 8-10")
        if isinstance(value, int):
            return {"low": value, "high": value}
        if isinstance(value, str):
            text = value.strip()
            if text.isdigit():
                return {"low": int(text), "high": int(text)}
            found = _RANGE.match(text)
            if found:
                return {"low": int(found.group(1)), "high": int(found.group(2))}
            raise ValueError(f"'{value}' is not a count: write a whole number or a range such as 8-10")
        if isinstance(value, dict):
            return value
        raise ValueError("must be a whole number or a range such as 8-10")

    @model_validator(mode="after")
    def _ordered(self) -> "CountRange":
        if self.low > self.high:
            raise ValueError(f"the range {self.low}-{self.high} must go from low to high")
        return self

    def __str__(self) -> str:
        return str(self.high) if self.low == self.high else f"{self.low}-{self.high}"


class RoutineStep(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    exercise: str
    sets: CountRange = CountRange(low=1, high=1)
    # Repetitions or holds per set (per side when per_side), or steps each way for a walking exercise.
    reps: CountRange
    hold_s: float | None = Field(default=None, gt=0, le=300)
    per_side: bool | None = None  # default: the exercise's own dosage
    rest_s: float = Field(default=30, ge=0, le=900)  # after each set, and before the next exercise
    note: str | None = None


class Routine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    title: str = Field(min_length=3)
    summary: str = Field(min_length=10)
    source: str = Field(min_length=3)
    frequency: str | None = None
    notes: str | None = None
    steps: list[RoutineStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _lower_snake_case_id(self) -> "Routine":
        if not ID_PATTERN.match(self.id):
            raise ValueError(f"id: '{self.id}' must be lower_snake_case")
        return self


ROUTINES_DIR_ENV = "FORMCHECK_ROUTINES_DIR"


def default_routines_dir() -> Path:
    """$FORMCHECK_ROUTINES_DIR, else the routines beside the exercise specs."""
    override = os.environ.get(ROUTINES_DIR_ENV)
    return Path(override) if override else default_specs_dir() / ROUTINES_SUBDIR


def _check_against_specs(path: Path, routine: Routine, specs: dict[str, ExerciseSpec]) -> Routine:
    """Each step must name a known exercise and ask only for what its spec can count."""
    steps = []
    for i, step in enumerate(routine.steps):
        where = f"{path}: steps[{i}]"
        spec = specs.get(step.exercise)
        if spec is None:
            known = ", ".join(sorted(specs))
            raise RoutineError(f"{where}.exercise: unknown exercise '{step.exercise}' (known: {known})")
        walking = isinstance(spec.motion, StepMotion)
        if walking and step.hold_s is not None:
            raise RoutineError(f"{where}.hold_s: {step.exercise} counts steps; it has no hold")
        counted_per_side = bool(getattr(spec.motion, "per_side", False))
        if step.per_side and not counted_per_side:
            raise RoutineError(f"{where}.per_side: {step.exercise} is not counted per side")
        if step.per_side is None:
            step = step.model_copy(update={"per_side": counted_per_side})
        steps.append(step)
    return routine.model_copy(update={"steps": steps})


def load_routine(path: str | Path, specs: dict[str, ExerciseSpec] | None = None) -> Routine:
    """Load and validate one routine; `specs` defaults to every bundled exercise spec."""
    path = Path(path)
    routine = load_yaml_model(path, Routine, RoutineError)
    return _check_against_specs(path, routine, specs if specs is not None else load_all_specs())


def load_all_routines(directory: str | Path | None = None, specs: dict[str, ExerciseSpec] | None = None
                      ) -> dict[str, Routine]:
    """Every routine in the folder, keyed by id (none if the folder does not exist); the first
    invalid one raises RoutineError."""
    folder = Path(directory) if directory is not None else default_routines_dir()
    if not folder.is_dir():
        return {}
    specs = specs if specs is not None else load_all_specs()
    return {r.id: r for r in (load_routine(p, specs) for p in sorted(folder.glob("*.yaml")))}


def find_routine(routine_id: str, directory: str | Path | None = None,
                 specs: dict[str, ExerciseSpec] | None = None) -> Routine:
    folder = Path(directory) if directory is not None else default_routines_dir()
    path = folder / f"{routine_id}.yaml"
    if not path.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml"))) or "none"
        raise RoutineError(f"unknown routine '{routine_id}' (known: {known})")
    return load_routine(path, specs)
