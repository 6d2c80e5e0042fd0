"""Loading and validating exercise specs from YAML, with messages that name file and field."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TypeVar, get_args

import yaml
from pydantic import BaseModel, ValidationError

from .schema import ID_PATTERN, ExerciseSpec, Motion, Signal

SPECS_DIR_ENV = "FORMCHECK_SPECS_DIR"
# The `kind` values that tag the members of the schema's unions: pydantic puts them in error paths.
_UNION_TAGS = frozenset(tag for union in (Signal, Motion) for member in get_args(get_args(union)[0])
                        for tag in get_args(member.model_fields["kind"].annotation))


class SpecError(Exception):
    """An exercise spec that cannot be used; the message names the file, the field and the problem."""


def default_specs_dir() -> Path:
    """$FORMCHECK_SPECS_DIR, else the specs installed with the package, else this checkout's."""
    override = os.environ.get(SPECS_DIR_ENV)
    if override:
        return Path(override)
    package = Path(__file__).resolve().parents[1]
    installed = package / "exercise_specs"  # a wheel install; an editable one has the checkout's
    return installed if installed.is_dir() else package.parent / "exercise_specs"


def _field_path(loc: tuple) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in _UNION_TAGS and parts:
            continue  # pydantic's union tag, not a field the author wrote
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


def _first_error(err: ValidationError) -> str:
    first = err.errors()[0]
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "missing":
        message = "is required but missing"
    elif first["type"] == "extra_forbidden":
        message = "is not a known field (check its spelling)"
    more = len(err.errors()) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    if not first["loc"]:  # a check across fields: its message names them
        return f"{message}{suffix}"
    return f"{_field_path(tuple(first['loc']))}: {message}{suffix}"


ModelT = TypeVar("ModelT", bound=BaseModel)


def load_yaml_model(path: str | Path, model: type[ModelT], error: type[Exception]) -> ModelT:
    """Read a YAML file into a pydantic model whose `id` must match the file name. Every problem
    raises `error` with one line naming the file, the field and what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise error(f"{path}: not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping of fields at the top level")
    try:
        loaded = model.model_validate(data)
    except ValidationError as exc:
        raise error(f"{path}: {_first_error(exc)}") from None
    if loaded.id != path.stem:  # type: ignore[attr-defined]
        raise error(f"{path}: id: '{loaded.id}' must match the file name '{path.stem}'")  # type: ignore[attr-defined]
    return loaded


def load_spec(path: str | Path) -> ExerciseSpec:
    return load_yaml_model(path, ExerciseSpec, SpecError)


def load_all_specs(directory: str | Path | None = None) -> dict[str, ExerciseSpec]:
    """Every spec in the folder, keyed by id; the first invalid one raises SpecError."""
    folder = Path(directory) if directory is not None else default_specs_dir()
    if not folder.is_dir():
        raise SpecError(f"{folder}: exercise spec folder not found")
    return {spec.id: spec for spec in (load_spec(p) for p in sorted(folder.glob("*.yaml")))}


def find_spec(exercise_id: str, directory: str | Path | None = None) -> ExerciseSpec:
    folder = Path(directory) if directory is not None else default_specs_dir()
    path = folder / f"{exercise_id}.yaml"
    if not ID_PATTERN.match(exercise_id) or not path.is_file():  # an id, never a path to somewhere else
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise SpecError(f"unknown exercise '{exercise_id}' (known: {known})")
    return load_spec(path)
