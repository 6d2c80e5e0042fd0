"""formcheck against the rendered sample clips with the real pose model: the accuracy bar.

Every clip with a sidecar is evaluated, and every exercise is held to the bar: exact counts on
every clip but the known misses (`sample_misses.json`, each with its cause; a clip leaves the list
when a change gets it right, and none joins it silently), fault precision and recall of at least
0.9, no fault on a clean clip, and hold times within 0.6 s of the truth on average and 2 s at worst.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.evaluation import find_clips
from formcheck.specs import load_all_specs

pytestmark = pytest.mark.slow  # the real pose model on the rendered clips

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
KNOWN_MISSES: dict[str, str] = json.loads(Path(__file__).with_name("sample_misses.json").read_text())["misses"]


@pytest.fixture(scope="module")
def evaluation() -> dict:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["eval", str(SAMPLES), "--json"])
    assert code == 0
    result = json.loads(buffer.getvalue())
    for clip in result["clips"]:  # shown with -rA / on failure: the measured table
        print(clip["clip"], clip["expected"], clip["found"], clip["faults_expected"], clip["faults_found"])
    print("totals", result["totals"])
    return result


def test_sample_clips_cover_every_exercise():
    clips = find_clips(SAMPLES)
    exercises = {truth.exercise for _, truth in clips}
    assert exercises == set(load_all_specs())
    for exercise in exercises:
        names = [truth.clip for _, truth in clips if truth.exercise == exercise]
        assert any(name.endswith("_clean.mp4") for name in names), exercise
        assert len(names) >= 3, exercise  # a clean clip and clips of the principal faults


def test_counts_are_exact_on_every_clip_but_the_known_misses(evaluation):
    wrong = [(c["clip"], c["expected"], c["found"]) for c in evaluation["clips"]
             if not c["exact"] and c["clip"] not in KNOWN_MISSES]
    assert wrong == []
    assert len(KNOWN_MISSES) <= 0.1 * len(evaluation["clips"])


def test_the_known_misses_are_sample_clips_with_a_cause():
    clips = {truth.clip for _, truth in find_clips(SAMPLES)}
    assert set(KNOWN_MISSES) <= clips
    assert all(len(cause) > 40 for cause in KNOWN_MISSES.values())


def test_fault_precision_and_recall(evaluation):
    clips = evaluation["clips"]
    tp = sum(c["fault_true_positives"] for c in clips)
    fn = sum(c["fault_false_negatives"] for c in clips)
    fp = sum(c["fault_false_positives"] for c in clips)
    assert tp / (tp + fn) >= 0.9, [(c["clip"], c["missed_faults"]) for c in clips if c["missed_faults"]]
    assert tp / (tp + fp) >= 0.9, [(c["clip"], c["spurious_faults"]) for c in clips if c["spurious_faults"]]


def test_no_fault_on_a_clean_clip(evaluation):
    flagged = [(c["clip"], c["faults_found"]) for c in evaluation["clips"]
               if not c["faults_expected"] and c["faults_found"]]
    assert flagged == []


def test_every_clip_is_tracked(evaluation):
    assert evaluation["totals"]["detection_rate"] >= 0.95


def test_hold_times(evaluation):
    errors = [(c["clip"], e) for c in evaluation["clips"] for e in c["hold_errors_s"]]
    assert len(errors) >= 100  # every timed hold and top of every clip
    assert sum(e for _, e in errors) / len(errors) <= 0.6
    assert [(clip, e) for clip, e in errors if e > 2.0] == []
