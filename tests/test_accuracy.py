"""formcheck against the rendered sample clips with the real pose model: the accuracy bar."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.evaluation import find_clips
from formcheck.specs import load_all_specs

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"


@pytest.fixture(scope="module")
def evaluation():
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["eval", str(SAMPLES), "--json"])
    assert code == 0
    return json.loads(buffer.getvalue())


def test_every_exercise_with_a_spec_has_clips():
    exercises = {truth.exercise for _, truth in find_clips(SAMPLES)}
    assert exercises, "no sample clips"
    assert exercises <= set(load_all_specs())


def test_counts_are_exact_on_every_clip(evaluation):
    wrong = [(c["clip"], c["expected"], c["found"]) for c in evaluation["clips"] if not c["exact"]]
    assert wrong == []


def test_fault_precision_and_recall(evaluation):
    totals = evaluation["totals"]
    assert totals["fault_recall"] >= 0.9, [(c["clip"], c["missed_faults"]) for c in evaluation["clips"]]
    assert totals["fault_precision"] >= 0.9, [(c["clip"], c["spurious_faults"]) for c in evaluation["clips"]]


def test_no_fault_on_a_clean_clip(evaluation):
    flagged = [(c["clip"], c["faults_found"]) for c in evaluation["clips"] if not c["faults_expected"] and c["faults_found"]]
    assert flagged == []
