"""formcheck against real recordings of real people, with the real pose model: the floor.

The recordings are other people's, kept beside the project (../shared/real-footage, or the folder
$FORMCHECK_REAL_FOOTAGE names) for evaluation only; they are never copied into the project. Where
they are absent (a user's clone) these tests skip and say why.

The floor only ever rises: `real_footage_floor.json` lists the clips that are counted exactly
(per side where the exercise has sides) with their faults right, and a clip joins the list when a
change gets it right. The figures of the whole set are the README's.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from formcheck.cli import main

pytestmark = pytest.mark.slow  # the real pose model on real video

ROOT = Path(__file__).resolve().parents[1]
FOOTAGE = Path(os.environ.get("FORMCHECK_REAL_FOOTAGE", ROOT.parent / "shared" / "real-footage"))
FLOOR = json.loads((Path(__file__).with_name("real_footage_floor.json")).read_text())


@pytest.fixture(scope="module")
def evaluation() -> dict:
    if not FOOTAGE.is_dir() or not any(FOOTAGE.glob("*.json")):
        pytest.skip(f"no real footage at {FOOTAGE} (set FORMCHECK_REAL_FOOTAGE to a folder of clips with "
                    "ground-truth sidecars to run these tests)")
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        code = main(["eval", str(FOOTAGE), "--json"])
    assert code == 0
    result = json.loads(buffer.getvalue())
    for clip in result["clips"]:  # shown with -rA / on failure: the measured table
        print(clip["clip"], clip["expected"], clip["found"], clip["faults_expected"], clip["faults_found"])
    print("totals", result["totals"])
    return result


def _right(clip: dict) -> bool:
    return clip["exact"] and not clip["missed_faults"] and not clip["spurious_faults"]


def test_the_clips_on_the_floor_stay_right(evaluation):
    clips = {c["clip"]: c for c in evaluation["clips"]}
    missing = [name for name in FLOOR["right"] if name not in clips]
    assert missing == [], f"clips on the floor but not in {FOOTAGE}"
    wrong = [(name, clips[name]["expected"], clips[name]["found"], clips[name]["missed_faults"],
              clips[name]["spurious_faults"]) for name in FLOOR["right"] if not _right(clips[name])]
    assert wrong == []


def test_counts_are_exact_on_most_confident_clips(evaluation):
    sure = [c for c in evaluation["clips"] if c["confidence"] in ("high", "medium")]
    exact = [c for c in sure if c["exact"]]
    assert len(exact) / len(sure) >= FLOOR["exact_share_of_confident_clips"], [
        (c["clip"], c["expected"], c["found"]) for c in sure if not c["exact"]]


def test_no_fault_on_a_clip_without_one(evaluation):
    flagged = [(c["clip"], c["faults_found"]) for c in evaluation["clips"]
               if not c["faults_expected"] and c["faults_found"]]
    assert flagged == []
