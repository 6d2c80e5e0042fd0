"""What the app's caches are keyed on: a folder and its files' modification times, so that a file
added, edited or replaced shows up at the next rerun."""

from __future__ import annotations

from pathlib import Path

FolderSignature = tuple[str, tuple[tuple[str, int], ...]]


def folder_signature(folder: Path) -> FolderSignature:
    try:
        entries = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.iterdir() if p.is_file()))
    except OSError:
        entries = ()
    return str(folder), entries
