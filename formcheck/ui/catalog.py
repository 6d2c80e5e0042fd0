"""The exercises the app offers: every valid spec, plus a readable message per broken one.

A broken spec must not take the whole app down (`load_all_specs` stops at the first invalid file),
so the app loads the files one by one and lists the problems beside the exercises that work.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from formcheck.specs import ExerciseSpec, SpecError, default_specs_dir, load_spec

from .cache_keys import FolderSignature, folder_signature


@dataclass
class Catalog:
    specs: dict[str, ExerciseSpec] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def title(self, exercise_id: str) -> str:
        spec = self.specs.get(exercise_id)
        return spec.title if spec is not None else exercise_id


def catalog_signature(directory: str | Path | None = None) -> FolderSignature:
    """What the app's cached catalog is keyed on: the spec folder and its files' modification times."""
    return folder_signature(Path(directory) if directory is not None else default_specs_dir())


def load_catalog(directory: str | Path | None = None) -> Catalog:
    folder = Path(directory) if directory is not None else default_specs_dir()
    catalog = Catalog()
    if not folder.is_dir():
        catalog.errors.append(f"{folder}: exercise spec folder not found")
        return catalog
    for path in sorted(folder.glob("*.yaml")):
        try:
            spec = load_spec(path)
        except SpecError as exc:
            catalog.errors.append(str(exc))
            continue
        catalog.specs[spec.id] = spec
    return catalog
