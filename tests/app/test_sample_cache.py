"""Analysed samples kept on disk: found again by the same clip, spec and code, and by nothing else."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from formcheck.report import Report
from formcheck.ui import sample_cache
from formcheck.ui.sample_cache import CachedAnalysis


@pytest.fixture(autouse=True)
def cache_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("FORMCHECK_CACHE_DIR", str(tmp_path / "cache"))


def analysis(reps: int = 2) -> CachedAnalysis:
    report = Report(exercise="bridge", title="Shoulder bridge", fps=15.0, frames=30, frames_with_pose=30,
                    duration_s=2.0, side="left", calibrated=True, primary_signal="hip_angle", reps=reps,
                    partials=0, events=[], faults=[], warnings=[])
    return CachedAnalysis(report, b"\x00\x00\x00 ftypisom", (0.0, 0.5), (150.0, None))


def clip(tmp_path: Path, content: bytes = b"frames") -> Path:
    path = tmp_path / "bridge_clean.mp4"
    path.write_bytes(content)
    return path


def test_an_entry_is_found_by_the_same_clip_spec_and_code_only(tmp_path, monkeypatch):
    path = clip(tmp_path)
    key = sample_cache.entry_key(path, "spec-a")
    assert sample_cache.load(key) is None
    sample_cache.store(key, analysis())
    assert sample_cache.load(key) == analysis()
    assert sample_cache.entry_key(path, "spec-b") != key  # an edited spec
    with monkeypatch.context() as patched:
        patched.setattr(sample_cache, "code_version", lambda: "another formcheck")
        assert sample_cache.entry_key(path, "spec-a") != key
    path.write_bytes(b"re-rendered frames")
    os.utime(path, ns=(1, 1))
    assert sample_cache.entry_key(path, "spec-a") != key  # the clip changed


def test_an_unreadable_entry_is_analysed_again_and_a_cache_that_cannot_be_written_is_no_error(tmp_path):
    key = sample_cache.entry_key(clip(tmp_path), "spec")
    sample_cache.store(key, analysis())
    (sample_cache.folder() / key / "report.json").write_text("{broken", encoding="utf-8")
    assert sample_cache.load(key) is None
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    os.environ["FORMCHECK_CACHE_DIR"] = str(blocker)  # restored by the fixture's monkeypatch
    sample_cache.store(key, analysis())  # no exception
    assert sample_cache.load(key) is None


def test_only_the_most_recently_used_entries_are_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(sample_cache, "MAX_ENTRIES", 2)
    for i, key in enumerate(("a" * 32, "b" * 32, "c" * 32)):
        sample_cache.store(key, analysis(reps=i))
        os.utime(sample_cache.folder() / key, (1000 + i, 1000 + i))
    sample_cache.store("d" * 32, analysis())
    assert sorted(p.name for p in sample_cache.folder().iterdir()) == ["c" * 32, "d" * 32]
