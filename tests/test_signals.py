"""Signals that combine others or read the silhouette, on exact synthetic inputs."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.engine import Analyzer
from formcheck.landmarks import Landmark, Landmarks
from formcheck.signals import outline_offset
from formcheck.specs import find_spec

from synthetic import Camera, Script, frames, supine_bridge


def _back_mask(bulge_px: float, width: int = 640, height: int = 480) -> np.ndarray:
    """A body lying along y = 300 from x = 100 to 500 whose upper edge is 60 px above that line,
    bulging by `bulge_px` (up, + = a rounded back) in a smooth arch between its ends."""
    mask = np.zeros((height, width), dtype=np.float32)
    xs = np.arange(100, 501)
    arch = bulge_px * np.sin(np.pi * (xs - 100) / 400)
    for x, lift in zip(xs, arch):
        top = int(round(300 - 60 - lift))
        mask[top:320, x] = 1.0
    return mask


@pytest.mark.parametrize("bulge", [-30.0, 0.0, 25.0])
def test_an_outline_reads_how_far_the_back_bulges_from_straight(bulge):
    a, b = np.array([100.0, 300.0]), np.array([500.0, 300.0])
    value = outline_offset(_back_mask(bulge), a, b, "upper", [0.5], (0.15, 0.85))
    # At the middle the arch is at its full height; at 15 % and 85 % it is sin(0.15 pi) of it.
    expected = bulge * (1 - np.sin(0.15 * np.pi)) / 400
    assert value == pytest.approx(expected, abs=2 / 400)


def test_an_outline_is_none_without_a_silhouette_or_across_an_upright_line():
    mask = _back_mask(10.0)
    assert outline_offset(np.zeros_like(mask), np.array([100.0, 300.0]), np.array([500.0, 300.0]), "upper",
                          [0.5], (0.2, 0.8)) is None
    # Hips to shoulders standing up: there is no "upper" edge to read.
    assert outline_offset(mask, np.array([300.0, 400.0]), np.array([300.0, 100.0]), "upper", [0.5], (0.2, 0.8)) is None


def test_cat_cow_is_counted_from_the_back_itself():
    """Landmarks that do not move at all and a back that rounds and sags: the outline counts it."""
    spec = find_spec("cat_cow")
    # Neutral, cat, a deep cow, back to neutral, twice: the cow goes the other way from rest, so
    # coming back up from it to neutral is no repetition.
    curve = Script([(0, 0.0), (2.0, 0.0), (3.5, 60.0), (5.0, 60.0), (6.5, -80.0), (7.5, -80.0), (8.5, 0.0),
                    (10.0, 0.0), (11.5, 60.0), (13.0, 60.0), (14.5, -80.0), (15.5, -80.0), (16.5, 0.0), (18.0, 0.0)])
    points = np.zeros((33, 4))
    points[:, 3] = 0.95
    for lm, xy in ((Landmark.LEFT_HIP, (100, 300)), (Landmark.RIGHT_HIP, (100, 300)),
                   (Landmark.LEFT_SHOULDER, (500, 300)), (Landmark.RIGHT_SHOULDER, (500, 300)),
                   (Landmark.LEFT_KNEE, (100, 420)), (Landmark.RIGHT_KNEE, (100, 420)),
                   (Landmark.LEFT_ELBOW, (500, 360)), (Landmark.RIGHT_ELBOW, (500, 360)),
                   (Landmark.LEFT_WRIST, (500, 420)), (Landmark.RIGHT_WRIST, (500, 420))):
        points[lm, :2] = xy
    points[Landmark.RIGHT_SHOULDER, 3] = points[Landmark.RIGHT_HIP, 3] = 0.6  # the far side, less sure
    analyzer = Analyzer(spec)
    for i in range(int(18 * 15)):
        t = i / 15
        analyzer.update(Landmarks(points.copy(), t, 640, 480, mask=_back_mask(curve(t))), t)
    report = analyzer.finish()
    assert report.reps == 2 and report.partials == 0
    assert report.primary_unit == "torso lengths"


def test_a_mean_follows_the_limb_still_in_sight():
    """Bird-dog: the reach is the mean rise of the raised arm and opposite leg; with the leg out of
    the picture at the top the arm alone still carries the repetition."""
    spec = find_spec("bird_dog")
    assert spec.motion.signal == "reach"
    from synthetic import ArmPose, Body, LegPose

    lift = Script([(0, 0.0), (2.0, 0.0), (3.5, 1.0), (6.5, 1.0), (8.0, 0.0), (10.0, 0.0)])

    def pose(s: float) -> Body:
        up = lift(s)
        kneel = LegPose(thigh_deg=-90.0, knee_deg=90.0, knee_bends_up=True)
        raised = LegPose(thigh_deg=-90.0 + up * 90.0 + (1 - up) * 0, knee_deg=90.0 + up * 90.0, knee_bends_up=True)
        support = ArmPose(upper_arm_deg=-90.0, elbow_deg=178.0)
        reaching = ArmPose(upper_arm_deg=-90.0 + up * 90.0, elbow_deg=178.0)
        return Body((0.0, 140.0), 0.0, near_leg=kneel, far_leg=raised, near_arm=reaching, far_arm=support)

    cam = Camera(origin=(200.0, 420.0), far_visibility=0.9)
    leg_out = {Landmark.LEFT_ANKLE, Landmark.RIGHT_ANKLE, Landmark.LEFT_HEEL, Landmark.RIGHT_HEEL,
               Landmark.LEFT_FOOT_INDEX, Landmark.RIGHT_FOOT_INDEX}
    analyzer = Analyzer(spec)
    for t, landmarks in frames(pose, 10.0, cam=cam, jitter_px=0.5):
        if 4.0 <= t <= 6.0:  # the far foot has left the picture
            pts = landmarks.points.copy()
            for lm in leg_out:
                pts[lm, 3] = 0.05
            landmarks = Landmarks(pts, t, landmarks.image_width, landmarks.image_height)
        analyzer.update(landmarks, t)
    report = analyzer.finish()
    assert report.reps == 1
    assert report.events[0].side == "right"  # the side of the lifted leg


def test_a_difference_is_one_change_less_another():
    from formcheck.signals import FloorFrame, Frame, SignalComputer, side_roles

    from synthetic import prone, to_landmarks

    spec = find_spec("superman")
    computer = SignalComputer(spec)
    landmarks = to_landmarks(prone(trunk_deg=12.0, elbow_deg=170.0), 0.0, Camera(origin=(300.0, 380.0)))
    floor = FloorFrame()
    frame = Frame(floor.to_floor(landmarks.xy), landmarks.visibility)
    baselines = {"head_lift": 3.0, "trunk_incline": 1.0, "thigh_lift": 0.0}
    values = computer.compute(frame, side_roles("left"), floor, floor.to_floor(landmarks.xy),
                              names=["neck_extension", "head_lift", "trunk_incline"], baselines=baselines)
    assert values["trunk_incline"] == pytest.approx(12.0 - 1.0, abs=0.01)
    assert values["neck_extension"] == pytest.approx(values["head_lift"] - values["trunk_incline"])
    # Without baselines (before calibration) a change cannot be told.
    assert computer.compute(frame, side_roles("left"), floor, None, names=["neck_extension"])["neck_extension"] is None
