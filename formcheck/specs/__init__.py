"""Exercise specs: the schema and its loader."""

from .conditions import Condition
from .loader import SpecError, default_specs_dir, find_spec, load_all_specs, load_spec
from .schema import EventFaultRule, ExcursionMotion, ExerciseSpec, FaultRule, OutlineSignal, Pacing, StepMotion

__all__ = [
    "Condition",
    "EventFaultRule",
    "ExcursionMotion",
    "ExerciseSpec",
    "FaultRule",
    "OutlineSignal",
    "Pacing",
    "SpecError",
    "StepMotion",
    "default_specs_dir",
    "find_spec",
    "load_all_specs",
    "load_spec",
]
