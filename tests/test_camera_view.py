"""Every exercise filmed from the wrong view says so in plain words and counts nothing; a picture that
cuts off the feet says so too, and counts what the joints still in it can show. Real pose model on
rendered clips: the person's landmarks come from MediaPipe."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.engine import Analyzer
from formcheck.evaluation import load_truth
from formcheck.landmarks import Landmark, Landmarks
from formcheck.pose import create_pose_estimator
from formcheck.specs import load_all_specs
from formcheck.video import iter_frames

pytestmark = pytest.mark.slow  # the real pose model on the rendered clips

SAMPLES = Path(__file__).resolve().parents[1] / "sample_videos"
SECONDS = 8.0  # enough for calibration and a first movement in every clip used


def detect(clip: str, crop=None) -> list[tuple[float, Landmarks | None]]:
    """The clip's first seconds through the real pose model, optionally cropped first."""
    found = []
    with create_pose_estimator() as estimator:
        for frame in iter_frames(SAMPLES / clip):
            if frame.timestamp_s >= SECONDS:
                break
            image = frame.image if crop is None else np.ascontiguousarray(crop(frame.image))
            found.append((frame.timestamp_s, estimator.detect(image, frame.timestamp_s)))
    return found


def analyse(spec, landmarks: list[tuple[float, Landmarks | None]]):
    analyzer = Analyzer(spec)
    states = [analyzer.update(lm, t) for t, lm in landmarks]
    return analyzer.finish(), states


def specs_of_view(view: str):
    return [s for s in load_all_specs().values() if s.camera.view == view]


@pytest.fixture(scope="module")
def facing_the_camera():
    return detect("seated_side_stretch_clean.mp4")


@pytest.fixture(scope="module")
def side_on():
    return detect("bridge_clean.mp4")


@pytest.fixture(scope="module")
def feet_cut_off():
    """A side-on press-up with the picture cut off short of the feet."""
    truth = load_truth(SAMPLES / "prone_press_up_clean.json")
    first = truth.landmarks_at(0).xy
    ankles_x = first[[Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE], 0].mean()
    knees_x = first[[Landmark.LEFT_KNEE, Landmark.RIGHT_KNEE], 0].mean()
    cut = int((ankles_x + knees_x) / 2)  # between knees and ankles
    feet_right = ankles_x > knees_x
    return detect("prone_press_up_clean.mp4", crop=(lambda im: im[:, :cut]) if feet_right else (lambda im: im[:, cut:]))


@pytest.mark.parametrize("spec", specs_of_view("side"), ids=lambda s: s.id)
def test_a_side_on_exercise_filmed_from_the_front_asks_to_turn(spec, facing_the_camera):
    report, states = analyse(spec, facing_the_camera)
    assert report.reps == 0 and report.partials == 0 and report.events == []
    assert any(w.kind == "view" and w.message == "turn side-on to the camera" for w in report.warnings), report.warnings
    assert states[-1].message == "turn side-on to the camera"  # what the live overlay shows


@pytest.mark.parametrize("spec", specs_of_view("front"), ids=lambda s: s.id)
def test_a_front_view_exercise_filmed_side_on_asks_to_face_the_camera(spec, side_on):
    report, states = analyse(spec, side_on)
    assert report.reps == 0 and not report.calibrated
    assert any(w.message == "face the camera" for w in report.warnings), report.warnings
    assert states[-1].message == "face the camera"


@pytest.mark.parametrize("spec", [s for s in specs_of_view("side") if "ankle" in s.camera.required_landmarks],
                         ids=lambda s: s.id)
def test_feet_out_of_the_picture_ask_to_move_back(spec, feet_cut_off):
    report, states = analyse(spec, feet_cut_off)
    assert any(w.message == "move back so your feet are in view" for w in report.warnings), report.warnings
    assert states[-1].message == "move back so your feet are in view"
    # Counts and faults rest on the joints that could be seen, and the report says so.
    assert any(w.kind == "reliability" and "joints that could be seen" in w.message for w in report.warnings)


def test_a_press_up_is_counted_on_the_trunk_with_the_feet_cut_off(feet_cut_off):
    spec = load_all_specs()["prone_press_up"]
    truth = load_truth(SAMPLES / "prone_press_up_clean.json")
    report, _ = analyse(spec, feet_cut_off)
    # The first seconds hold one press-up to its top (the recording is cut during the hold).
    started = [e for e in truth.events if e.start_s < SECONDS - 4.0]
    assert len(started) == 1 and report.reps == 1 and report.faults == []
    assert "the recording ended before the return to rest" in report.events[0].notes
