"""The engine on synthetic landmark sequences with exact ground truth."""

from __future__ import annotations

import re

import numpy as np
import pytest

from formcheck.engine import Analyzer
from formcheck.engine.excursions import ExcursionTracker
from formcheck.landmarks import Landmark, Landmarks
from formcheck.report import Report
from formcheck.specs import find_spec

from synthetic import (PRONE_CAM, Camera, Script, frames, long_sitting, press_ups, prone, seated_front,
                       supine_bridge, supine_knee_to_chest, to_landmarks)

BRIDGE_CAM = Camera(origin=(360.0, 420.0))
K2C_CAM = Camera(origin=(400.0, 420.0))
SIT_CAM = Camera(origin=(150.0, 400.0))


def analyse(spec_id: str, pose_at, duration: float, cam: Camera, **kwargs) -> Report:
    analyzer = Analyzer(find_spec(spec_id), hold_target_s=kwargs.pop("hold_target_s", None),
                        paced=kwargs.pop("paced", False))
    for t, landmarks in frames(pose_at, duration, cam=cam, **kwargs):
        analyzer.update(landmarks, t)
    return analyzer.finish()


def assert_window(report: Report, fault: str, start: float, end: float, tol: float = 1.0) -> None:
    spans = [f for f in report.faults if f.fault == fault]
    assert spans, f"{fault} not flagged; faults: {report.faults}"
    assert any(abs(f.start_s - start) <= tol and abs(f.end_s - end) <= tol for f in spans), (fault, spans)


def test_clean_press_ups_count_with_holds_and_no_faults():
    pose, duration, windows = press_ups([10, 10, 10])
    report = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=1.0)
    assert report.reps == 3 and report.partials == 0
    assert report.faults == []
    assert report.calibrated and report.side == "left"
    for event, (start, end) in zip(report.events, windows):
        assert event.kind == "rep" and event.faults == []
        assert abs(event.start_s - start) < 1.0 and abs(event.end_s - end) < 1.5
        assert 9.5 <= event.duration_s <= 11.5


def test_pelvis_lift_is_flagged_on_its_repetition_only():
    pose, duration, windows = press_ups([10, 10], pelvis={1})
    report = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=1.0)
    assert report.reps == 2
    assert [e.faults for e in report.events] == [[], ["pelvis_lift"]]
    assert_window(report, "pelvis_lift", windows[1][0] + 1.5, windows[1][1] - 1.0, tol=1.5)


def test_bent_knees_are_flagged():
    pose, duration, _ = press_ups([10, 10], knees={0})
    report = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=1.0)
    assert [e.faults for e in report.events] == [["knees_bent"], []]


def test_a_jerky_lift_is_a_fault_and_a_short_hold_a_note_on_its_repetition():
    pose, duration, _ = press_ups([10, 4], up_s=[2.8, 0.5])
    report = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=1.0)
    assert report.reps == 2
    assert report.events[0].faults == [] and report.events[0].notes == []
    assert report.events[1].faults == ["jerky_lift"]
    # The dose is a figure and a cue, not a form fault.
    assert any(n.startswith("held 4.") and "of 10 s: hold the top position for a count of ten" in n
               for n in report.events[1].notes)


def test_hold_target_can_be_changed():
    pose, duration, _ = press_ups([4, 4])
    report = analyse("prone_press_up", pose, duration, PRONE_CAM, hold_target_s=3.0)
    assert report.hold_target_s == 3.0
    assert all(e.faults == [] and e.notes == [] for e in report.events)


def test_an_attempt_that_barely_leaves_rest_is_a_partial_that_says_why():
    pose, duration, windows = press_ups([10, 10, 10], partial={1})
    report = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=1.0)
    assert report.reps == 2 and report.partials == 1
    assert [e.kind for e in report.events] == ["rep", "partial", "rep"]
    partial = report.events[1]
    assert 3.0 < partial.range < 12.0
    assert partial.notes and partial.notes[0].startswith("not counted: it went") and "12° counts" in partial.notes[0]


@pytest.mark.parametrize("top", [16.0, 22.0, 40.0])
def test_a_smaller_comfortable_range_still_counts_with_its_figure(top):
    # "As far as is comfortable": a press-up to 16 degrees on bent elbows is a repetition, reported
    # against the 30 degree target with the spec's cue, never silently dropped.
    pose, duration, _ = press_ups([10, 10], tops=[top, top], elbows=[115.0, 115.0])
    report = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=1.0)
    assert report.reps == 2 and report.partials == 0
    for event in report.events:
        assert event.range == pytest.approx(top, abs=2.5)
        assert event.range_fraction == pytest.approx(event.range / 30, abs=0.01)
        short = [n for n in event.notes if n.startswith(find_spec("prone_press_up").motion.range_cue)]
        assert bool(short) == (top < 24), event.notes
    assert report.target_range == 30 and report.best_range == pytest.approx(top, abs=2.5)
    # Each repetition against the person's own best before it (of the same side).
    assert report.events[0].best_before is None
    assert report.events[1].best_before == pytest.approx(report.events[0].range)


@pytest.mark.parametrize("near,facing_right", [("left", True), ("right", False), ("right", True)])
def test_either_side_toward_the_camera(near, facing_right):
    pose, duration, _ = press_ups([10, 10])
    cam = Camera(near=near, facing_right=facing_right, origin=(300.0 if facing_right else 340.0, 380.0))
    report = analyse("prone_press_up", pose, duration, cam, jitter_px=1.0)
    assert report.reps == 2 and report.faults == []
    assert report.side == near


def test_heavy_jitter_does_not_create_or_split_repetitions():
    pose, duration, _ = press_ups([10, 10, 10])
    report = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=3.0, seed=7)
    assert report.reps == 3 and report.partials == 0


def test_a_short_dropout_pauses_the_hold_and_a_long_one_is_reported():
    pose, duration, _ = press_ups([10])
    # The person is lost for 0.4 s in the hold and for 3 s after the repetition.
    report = analyse("prone_press_up", pose, duration + 4, PRONE_CAM,
                     drop=lambda t: 8.0 <= t < 8.4 or 17.5 <= t < 20.5)
    assert report.reps == 1
    assert 9.0 <= report.events[0].duration_s <= 11.0
    assert report.frames_with_pose < report.frames
    assert any(w.kind == "no_person" and abs(w.start_s - 17.5) < 0.2 for w in report.warnings)


def test_time_comes_from_timestamps_not_frame_counts():
    pose, duration, _ = press_ups([10, 10])
    # Same motion at 30 frames/s with every third frame dropped (an uneven webcam).
    analyzer = Analyzer(find_spec("prone_press_up"))
    for i, (t, landmarks) in enumerate(frames(pose, duration, fps=30.0, cam=PRONE_CAM)):
        if i % 3 != 2:
            analyzer.update(landmarks, t)
    report = analyzer.finish()
    assert report.reps == 2
    assert all(9.5 <= e.duration_s <= 11.5 for e in report.events)


def test_a_tilted_camera_still_measures_heights_from_the_floor_line():
    pose, duration, _ = press_ups([10, 10], pelvis={1})
    report = analyse("prone_press_up", pose, duration, Camera(origin=(300.0, 360.0), roll_deg=8.0))
    assert report.reps == 2
    assert [e.faults for e in report.events] == [[], ["pelvis_lift"]]


def test_wrong_view_stops_counting_with_a_plain_warning_and_its_share():
    pose, duration, _ = press_ups([10, 10])
    # Far-side landmarks spread out as when filmed from the head end: shoulders look wide.
    report = analyse("prone_press_up", pose, duration, Camera(origin=(300.0, 380.0), far_offset=(0.0, -140.0)))
    assert report.reps == 0
    assert any(w.message == "turn side-on to the camera" for w in report.warnings)
    (share,) = [w for w in report.warnings if w.kind == "reliability"]
    assert share.share >= 0.95 and "the camera was not side-on for 9" in share.message


def bridges(tops: list[float], feet_far: bool = False, arch: set[int] = frozenset()):
    lift, arch_keys = [(0, 0.0)], [(0, 0.0)]
    t = 2.0
    for i, top in enumerate(tops):
        lift += [(t, 0.0), (t + 1.5, top), (t + 4.5, top), (t + 6.0, 0.0)]
        if i in arch:
            arch_keys += [(t, 0.0), (t + 1.5, 12.0), (t + 4.5, 12.0), (t + 6.0, 0.0)]
        t += 7.0
    lift_curve, arch_curve = Script(lift), Script(arch_keys)
    return (lambda s: supine_bridge(lift_curve(s), feet_far=feet_far, arch_deg=arch_curve(s))), t + 1.0


def test_bridges_count_and_partial_lifts_are_reported():
    pose, duration = bridges([42, 14, 42])
    report = analyse("bridge", pose, duration, BRIDGE_CAM, jitter_px=1.0)
    assert (report.reps, report.partials) == (2, 1)
    assert [e.kind for e in report.events] == ["rep", "partial", "rep"]
    assert report.faults == []


def test_bridge_over_arch_and_feet_too_far():
    pose, duration = bridges([42, 42, 42], arch={1, 2})
    report = analyse("bridge", pose, duration, BRIDGE_CAM, jitter_px=1.0)
    assert [e.faults for e in report.events] == [[], ["over_arch"], ["over_arch"]]
    pose, duration = bridges([30, 30], feet_far=True)
    report = analyse("bridge", pose, duration, BRIDGE_CAM, jitter_px=1.0)
    assert report.reps == 2
    assert all("feet_too_far" in e.faults for e in report.events)


def knee_to_chest(sequence: list[tuple[str, float]], raise_during: int | None = None, pulled_to: float = 58.0,
                  blips: tuple[float, ...] = ()):
    """Holds by the near or far leg; `blips`: times of a 0.2 s jump of the reading 15 degrees further."""
    near, far, raised = [(0, 135.0)], [(0, 135.0)], [(0, 0.0)]
    t = 2.0
    for i, (side, hold) in enumerate(sequence):
        keys = near if side == "near" else far
        top = [(t + 2.0, pulled_to)]
        for b in (b for b in blips if t + 2.0 < b < t + 2.0 + hold):
            top += [(b, pulled_to), (b + 0.05, pulled_to - 15.0), (b + 0.2, pulled_to - 15.0), (b + 0.25, pulled_to)]
        keys += [(t, 135.0), *top, (t + 2.0 + hold, pulled_to), (t + 4.0 + hold, 135.0)]
        if i == raise_during:
            raised += [(t + 4.0, 0.0), (t + 5.0, 12.0), (t + hold - 1.0, 12.0), (t + hold, 0.0)]
        t += hold + 6.0
    curves = [Script(k) for k in (near, far, raised)]
    other = "far" if raise_during is not None and sequence[raise_during][0] == "near" else "near"
    return (lambda s: supine_knee_to_chest(*(c(s) for c in curves), raised=other)), t + 1.0


def test_knee_to_chest_holds_per_side():
    pose, duration = knee_to_chest([("near", 20), ("far", 20), ("near", 20)])
    report = analyse("knee_to_chest", pose, duration, K2C_CAM, jitter_px=1.0)
    assert report.reps == 3
    assert report.reps_by_side == {"left": 2, "right": 1}
    assert [e.side for e in report.events] == ["left", "right", "left"]
    assert all(e.kind == "hold" and 19.0 <= e.duration_s <= 21.5 and e.faults == [] for e in report.events)


def test_knee_to_chest_other_foot_and_short_hold():
    pose, duration = knee_to_chest([("near", 20), ("far", 7)], raise_during=0)
    report = analyse("knee_to_chest", pose, duration, K2C_CAM, jitter_px=1.0)
    assert report.reps == 2
    assert [e.faults for e in report.events] == [["other_foot_lifted"], []]
    (note,) = report.events[1].notes
    assert re.fullmatch(r"held 7\.\d s of 20 s: hold each stretch for 20-30 seconds", note)
    # The time held and the time held in good form: the lifted foot is off the floor for part of it.
    first = report.events[0]
    assert first.good_form_s is not None and first.good_form_s < first.duration_s - 4.0


def test_both_knees_pulled_in_together_is_one_hold_with_no_resting_leg_to_judge():
    near, far = Script([(0, 135.0), (2.0, 135.0), (4.0, 58.0), (14.0, 58.0), (16.0, 135.0), (18.0, 135.0)]), None
    far = near
    report = analyse("knee_to_chest", lambda s: supine_knee_to_chest(near(s), far(s)), 18.0, K2C_CAM, jitter_px=1.0)
    assert [(e.kind, e.side) for e in report.events] == [("hold", None)]
    assert report.reps_by_side == {"left": 0, "right": 0} and report.faults == []


def test_knee_to_chest_far_leg_has_its_own_thresholds():
    # The pose model often places the hidden far knee well away from the chest: the spec's far-side
    # minimum counts such a pull, while the same reading by the near leg is not enough.
    pose, duration = knee_to_chest([("far", 20), ("near", 20)], pulled_to=115.0)
    report = analyse("knee_to_chest", pose, duration, K2C_CAM, jitter_px=1.0)
    assert [(e.kind, e.side) for e in report.events] == [("hold", "right"), ("partial", "left")]
    assert 19.0 <= report.events[0].duration_s <= 22.5


def test_a_momentary_jump_of_the_reading_does_not_restart_the_hold():
    pose, duration = knee_to_chest([("near", 20)], blips=(8.0, 14.0, 19.0))
    report = analyse("knee_to_chest", pose, duration, K2C_CAM, jitter_px=1.0)
    assert [e.kind for e in report.events] == ["hold"]
    assert 19.0 <= report.events[0].duration_s <= 21.5 and report.events[0].faults == []


def butt_walk(steps: int, knee: float = 178.0, lean: float = 0.0, step_px: float = 22.0):
    keys, t, x = [(0, 0.0)], 2.0, 0.0
    for direction in (1, -1):
        for _ in range(steps):
            keys += [(t, x), (t + 0.6, x + direction * step_px)]
            x += direction * step_px
            t += 0.85
        t += 1.0
    curve = Script(keys)
    return (lambda s: long_sitting(curve(s), knee_deg=knee, lean_deg=lean)), t + 1.0


@pytest.mark.parametrize("near,facing_right", [("left", True), ("right", False)])
def test_butt_walk_steps_forward_and_backward(near, facing_right):
    pose, duration = butt_walk(6)
    cam = Camera(near=near, facing_right=facing_right, origin=(150.0 if facing_right else 490.0, 400.0))
    report = analyse("butt_walk", pose, duration, cam, jitter_px=0.8)
    assert report.steps == {"forward": 6, "backward": 6}
    assert report.sets == 1
    assert report.faults == []
    assert [e.direction for e in report.events] == ["forward"] * 6 + ["backward"] * 6


@pytest.mark.parametrize("kwargs,fault", [({"knee": 125.0}, "knees_bent"), ({"lean": -35.0}, "trunk_lean"),
                                          ({"lean": 35.0}, "trunk_lean")])
def test_butt_walk_faults(kwargs, fault):
    pose, duration = butt_walk(6, **kwargs)
    report = analyse("butt_walk", pose, duration, SIT_CAM, jitter_px=0.8)
    assert report.steps == {"forward": 6, "backward": 6}
    assert {f.fault for f in report.faults} == {fault}
    assert all(fault in e.faults for e in report.events)


def test_engine_is_deterministic():
    pose, duration, _ = press_ups([10, 4], up_s=[2.8, 0.5])
    first = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=2.0, seed=3)
    second = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=2.0, seed=3)
    assert first.model_dump() == second.model_dump()


def test_timestamps_must_increase():
    analyzer = Analyzer(find_spec("bridge"))
    analyzer.update(None, 1.0)
    with pytest.raises(ValueError, match="timestamps must increase"):
        analyzer.update(None, 1.0)


def test_paced_holds_carry_the_faults_seen_during_them():
    # Live, formcheck paces the tilts. Lying still with knees bent; the buttocks lift during the second hold.
    spec = find_spec("pelvic_tilt")
    pacing = spec.motion.pacing
    cycle = pacing.hold_s + pacing.relax_s
    lifted = (pacing.relax_s * 2 + pacing.hold_s + 1.0, pacing.relax_s * 2 + pacing.hold_s + 4.0)
    lift = Script([(0, 0.0), (lifted[0] - 0.5, 0.0), (lifted[0], 14.0), (lifted[1], 14.0), (lifted[1] + 0.5, 0.0)])
    duration = pacing.relax_s + 3 * cycle + 0.5
    report = analyse("pelvic_tilt", lambda s: supine_bridge(lift(s)), duration, BRIDGE_CAM, jitter_px=0.5, paced=True)
    assert report.calibrated
    assert report.reps == 3
    assert all(e.kind == "hold" and 5.0 <= e.duration_s <= 5.3 for e in report.events)
    assert [e.faults for e in report.events] == [[], ["buttocks_lift"], []]
    # The timer keeps its pace through a fault: each hold takes its 5 s.
    assert all(e.end_s - e.start_s == pytest.approx(pacing.hold_s, abs=0.2) for e in report.events)


def test_a_paced_hold_pauses_while_the_person_is_out_of_view():
    pacing = find_spec("pelvic_tilt").motion.pacing
    gone = (pacing.relax_s + 4.0, pacing.relax_s + 6.0)  # 2 s out of view during the first hold
    first = analyse("pelvic_tilt", lambda s: supine_bridge(0.0), pacing.relax_s + 12.0, BRIDGE_CAM,
                    jitter_px=0.5, drop=lambda t: gone[0] <= t < gone[1], paced=True).events[0]
    assert first.end_s - first.start_s == pytest.approx(pacing.hold_s + 2.0, abs=0.3)


def side_stretches(sequence: list[tuple[str, float]], arms_up: bool = True, mirrored: bool = False,
                   hip_tilt: float = 0.0):
    keys, t = [(0, 0.0)], 2.0
    for side, pause in sequence:
        lean = 20.0 if side == "left" else -20.0
        keys += [(t, 0.0), (t + 1.5, lean), (t + 1.5 + pause, lean), (t + 3.0 + pause, 0.0)]
        t += 4.0 + pause
    curve = Script(keys)
    duration = t + 1.0
    analyzer = Analyzer(find_spec("seated_side_stretch"))
    for i in range(int(duration * 15)):
        s = i / 15
        analyzer.update(seated_front(curve(s), arms_up=arms_up, mirrored=mirrored, hip_tilt_deg=hip_tilt, t=s), s)
    return analyzer.finish()


@pytest.mark.parametrize("mirrored", [False, True])
def test_side_stretch_counts_per_side_in_a_front_view(mirrored):
    report = side_stretches([("left", 4.0), ("right", 4.0), ("left", 4.0)], mirrored=mirrored)
    assert report.reps_by_side == {"left": 2, "right": 1}
    assert [e.side for e in report.events] == ["left", "right", "left"]
    assert report.faults == []


def test_side_stretch_bouncing_and_arms_down_are_flagged():
    report = side_stretches([("left", 4.0), ("right", 0.3)])
    assert [e.faults for e in report.events] == [[], ["no_pause"]]
    report = side_stretches([("left", 4.0)], arms_up=False)
    assert report.events[0].faults == ["arms_not_overhead"]


def test_a_repetition_that_reached_its_top_counts_when_the_recording_stops_there():
    pose, duration, windows = press_ups([10, 10])
    report = analyse("prone_press_up", pose, windows[1][0] + 6.0, PRONE_CAM)  # ends in the second hold
    assert report.reps == 2
    last = report.events[-1]
    assert "the recording ended before the return to rest" in last.notes
    assert not any(n.startswith("held") for n in last.notes)  # cut short by the recording, not by the person
    # Stopped on the way up, before the top: not counted, and said so.
    report = analyse("prone_press_up", pose, windows[1][0] + 1.2, PRONE_CAM)
    assert report.reps == 1
    assert any(w.kind == "unfinished" for w in report.warnings)


def test_a_recording_that_starts_mid_movement_without_a_still_start_counts_every_repetition():
    # Moving from the first frame: the first press-up is under way when the recording starts and the
    # person never rests for the second calibration needs; the look-back finds the reference later.
    pose, duration, windows = press_ups([3, 3, 3], up_s=[1.5, 1.5, 1.5], rest_s=0.6)
    start = windows[0][0] + 1.0
    report = analyse("prone_press_up", lambda s: pose(s + start), duration - start, PRONE_CAM, jitter_px=1.0)
    assert report.calibrated and report.reps == 3 and report.partials == 0
    assert "the recording started during this movement" in report.events[0].notes
    assert not any(w.kind == "calibration" for w in report.warnings)


def test_a_first_reference_taken_mid_movement_is_corrected_by_the_next_rest():
    # Still for a second half-way up a bridge (the start position's limits allow it), then real rests:
    # the rest level follows the person down, so the repetitions keep their full range.
    lift = Script([(0, 12.0), (1.5, 12.0), (2.0, 0.0), (2.5, 0.0), (4.0, 42.0), (7.0, 42.0), (8.5, 0.0),
                   (10.0, 0.0), (11.5, 42.0), (14.5, 42.0), (16.0, 0.0), (17.0, 0.0)])
    report = analyse("bridge", lambda s: supine_bridge(lift(s)), 17.0, BRIDGE_CAM, jitter_px=1.0)
    assert report.reps == 2 and report.partials == 0
    assert report.events[0].range == pytest.approx(report.events[1].range, rel=0.1)


def test_the_slow_tail_of_a_lowering_is_not_a_new_attempt():
    lift = Script([(0, 0.0), (2.0, 0.0), (3.5, 42.0), (6.0, 42.0), (7.0, 20.0), (10.0, 0.0), (12.0, 0.0)])
    report = analyse("bridge", lambda s: supine_bridge(lift(s)), 12.0, BRIDGE_CAM, jitter_px=1.0)
    assert [e.kind for e in report.events] == ["rep"]


def test_getting_up_at_the_end_is_not_a_repetition_nor_faulty():
    # After one press-up the person pushes up onto hands and knees: the pelvis rises far beyond any
    # faulty press, so it is the end of the exercise, not a repetition with a lifted pelvis.
    pose, duration, windows = press_ups([6])
    end = windows[0][1] + 1.0
    get_up = Script([(0, 0.0), (end, 0.0), (end + 1.5, 120.0), (end + 4.0, 120.0)])
    report = analyse("prone_press_up", lambda s: prone(pose(s).trunk_deg if s < end else 30.0, 175.0,
                                                       pelvis_lift_px=get_up(s), knee_deg=180 - get_up(s) * 0.7),
                     end + 4.0, PRONE_CAM, jitter_px=1.0)
    assert report.reps == 1 and report.partials == 0 and report.faults == []
    assert any(w.kind == "left_exercise" for w in report.warnings)


def _excursions(motion, lift: Script, seconds: float) -> list:
    """The excursions an ExcursionTracker finishes on `lift` sampled at 30 frames/s."""
    tracker = ExcursionTracker(motion)
    return [d for d in (tracker.update(i / 30, lift(i / 30)) for i in range(int(seconds * 30))) if d is not None]


def test_a_lift_is_timed_between_a_tenth_and_four_fifths_of_its_range():
    motion = find_spec("prone_press_up").motion.model_copy(update={"min_dwell_s": 0.4})
    done = _excursions(motion, Script([(0, 0.0), (1.0, 0.0), (1.15, 40.0), (4.0, 40.0), (6.0, 0.0), (8.0, 0.0)]), 8)
    assert len(done) == 1 and done[0].complete
    assert done[0].rise_s is not None and done[0].rise_s < 0.2
    # The way down is timed from 80 % of the range until back near rest (under 45 %): a quarter of
    # the 2 s cosine-eased lowering.
    assert done[0].lower_s == pytest.approx(0.47, abs=0.1)


def test_a_hold_that_drifts_a_little_is_still_the_held_position():
    # Holding still, people sink a little and a hidden limb's estimate settles lower: within a
    # quarter of the range and slow, that is the same position, so the hold is not cut short.
    motion = find_spec("prone_press_up").motion
    lift = Script([(0, 0.0), (1.0, 0.0), (2.0, 30.0), (5.0, 30.0), (5.3, 26.0), (8.0, 24.0), (9.0, 0.0), (11.0, 0.0)])
    done = _excursions(motion, lift, 11)
    assert len(done) == 1 and done[0].complete
    assert done[0].held_s == pytest.approx(6.2, abs=0.5)


@pytest.mark.parametrize("move_s", [1.0, 2.0, 3.0])
def test_a_hold_is_timed_from_arriving_not_from_passing_the_minimum(move_s):
    # A slow eased lift passes the minimum long before it arrives: the hold starts where the signal
    # is near its peak and no longer moving, as it ends where it starts down, so the held time
    # exceeds the 5 s really held by no more than the slow last quarter of each eased move.
    lift = Script([(0, 0.0), (1.0, 0.0), (1 + move_s, 40.0), (6 + move_s, 40.0), (6 + 2 * move_s, 0.0),
                   (8 + 2 * move_s, 0.0)])
    done = _excursions(find_spec("prone_press_up").motion, lift, 8 + 2 * move_s)
    assert len(done) == 1 and done[0].complete
    assert 5.0 <= done[0].held_s <= 5.0 + 2 * move_s / 4


# --------------------------------------------------------------------- fault timing, missing data, side choice
def _monitor_run(knee: Script, seconds: float, missing=lambda t: False, oblique=lambda t: False,
                 side_on_only: bool = False):
    """The windows of a 0.5 s knees_bent rule over `knee`, with no measurement where `missing` (and,
    for a rule that needs a side-on view, none where the view is `oblique`)."""
    from formcheck.engine.faults import PostureFaultMonitor
    from formcheck.specs.schema import FaultRule

    rule = FaultRule(id="knees_bent", when=["knee_angle < 150"], phase="active", min_duration_s=0.5,
                     cue="keep your knees straight", needs_side_on_view=side_on_only)
    monitor = PostureFaultMonitor([rule])
    for i in range(int(seconds * 30)):
        t = i / 30
        monitor.update(t, "top", {"knee_angle": None if missing(t) else knee(t)}, oblique(t))
    monitor.finish(seconds)
    return monitor.windows


def test_a_fault_window_runs_from_its_first_to_its_last_faulty_frame():
    # Bent from 2.0 s to 5.0 s (sharp steps): flagged once it has lasted 0.5 s, dated from its start;
    # it ends where the knees straighten (closed after the 0.25 s release).
    knee = Script([(0, 175.0), (2.0, 175.0), (2.0, 130.0), (5.0, 130.0), (5.0, 175.0), (8.0, 175.0)])
    (window,) = _monitor_run(knee, 8.0)
    assert (window.fault, window.message) == ("knees_bent", "keep your knees straight")
    frame = 1 / 30 + 1e-9
    assert window.start_s == pytest.approx(2.0, abs=frame) and window.end_s == pytest.approx(5.0, abs=frame)


def test_a_rule_that_needs_a_side_on_view_is_not_judged_from_well_off_it():
    knee = Script([(0, 130.0), (8.0, 130.0)])  # bent throughout
    turned = lambda t: t < 4.0  # filmed well off side-on for the first 4 s
    (window,) = _monitor_run(knee, 8.0, oblique=turned, side_on_only=True)
    assert window.start_s == pytest.approx(4.0, abs=0.05)
    # A rule that does not need it is judged from any side view.
    (window,) = _monitor_run(knee, 8.0, oblique=turned)
    assert window.start_s == pytest.approx(0.0, abs=0.05)


def test_well_off_side_on_is_told_by_the_body_width():
    from formcheck.engine.view import well_off_side_on

    points = np.zeros((33, 4))
    points[[Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER], 1] = 100.0
    points[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP], 1] = 200.0  # a torso 100 px long
    for width, oblique in ((10.0, False), (40.0, True)):  # 0.1 and 0.4 torso lengths wide
        points[[Landmark.RIGHT_SHOULDER, Landmark.RIGHT_HIP], 0] = width
        assert well_off_side_on(points) is oblique


def test_a_fault_is_never_flagged_on_missing_data():
    knee = Script([(0, 130.0), (8.0, 130.0)])  # bent throughout ...
    assert _monitor_run(knee, 8.0, missing=lambda t: True) == []  # ... but never measured: no fault
    # Measured only in flashes shorter than the rule's 0.5 s: each is a fresh start, never enough.
    assert _monitor_run(knee, 8.0, missing=lambda t: (t % 1.0) >= 0.4) == []
    # Once flagged, a gap in the data neither ends it nor adds to it: it ends where the knees straighten.
    knee = Script([(0, 175.0), (1.0, 175.0), (1.0, 130.0), (6.0, 130.0), (6.0, 175.0), (8.0, 175.0)])
    (window,) = _monitor_run(knee, 8.0, missing=lambda t: 3.0 <= t < 4.0)
    assert window.start_s == pytest.approx(1.0, abs=0.05) and window.end_s == pytest.approx(6.0, abs=0.05)


def test_the_near_side_does_not_flicker_on_a_brief_change_of_visibility():
    import numpy as np

    from formcheck.engine.side import NearSideSelector
    from formcheck.landmarks import Landmark

    def points(left_visibility: float, right_visibility: float) -> np.ndarray:
        arr = np.zeros((33, 4))
        for lm in Landmark:
            side = lm.name.split("_")[0]
            arr[lm, 3] = left_visibility if side == "LEFT" else right_visibility if side == "RIGHT" else 0.9
        return arr

    selector = NearSideSelector()
    sides = []
    for i in range(int(6 * 30)):
        t = i / 30
        # Left nearer; from 1.0 to 1.8 s the right looks nearer (a brief occlusion), from 3.0 s on for good.
        swapped = 1.0 <= t < 1.8 or t >= 3.0
        sides.append((t, selector.update(points(0.3, 0.95) if swapped else points(0.95, 0.3), t)))
    assert {s for t, s in sides if t < 4.0} == {"left"}  # the 0.8 s swap and the first second of the lasting one
    assert {s for t, s in sides if t >= 4.05} == {"right"}  # switched after 1 s of the lasting change


def test_form_is_not_judged_on_joints_placed_beyond_the_picture():
    # The feet are out of the picture: the pose model still places the ankles (beyond the edge), a
    # guess good enough to follow a limb but not to flag bent knees on. Counting goes on, and the
    # report says how much of the recording had part of the body out of the picture.
    pose, duration, _ = press_ups([6, 6], knees={1})
    tight = Camera(origin=(140.0, 380.0))
    report = analyse("prone_press_up", pose, duration, tight, jitter_px=1.0)
    assert report.reps == 2 and report.faults == []
    assert any(w.kind == "reliability" and "out of the picture" in w.message for w in report.warnings)
    # In the picture, the same bend is flagged.
    report = analyse("prone_press_up", pose, duration, PRONE_CAM, jitter_px=1.0)
    assert [e.faults for e in report.events] == [[], ["knees_bent"]]


def test_coming_back_elsewhere_after_leaving_the_picture_takes_the_reference_again():
    # Two press-ups, 4 s out of the picture (the camera is picked up and put down), then two more
    # with the person 40 px higher in the picture: heights from the old reference would be wrong.
    pose, duration, _ = press_ups([4, 4])
    before = Camera(origin=(300.0, 380.0))
    after = Camera(origin=(300.0, 340.0))
    analyzer = Analyzer(find_spec("prone_press_up"))
    for t, landmarks in frames(pose, duration, cam=before, jitter_px=1.0):
        analyzer.update(landmarks, t)
    gap = duration + 4.0
    for i in range(int(4.0 * 15)):
        analyzer.update(None, duration + i / 15)
    for t, landmarks in frames(pose, duration, cam=after, jitter_px=1.0, seed=1):
        analyzer.update(Landmarks(landmarks.points, gap + t, landmarks.image_width, landmarks.image_height),
                        gap + t)
    report = analyzer.finish()
    assert report.reps == 4 and report.partials == 0 and report.faults == []
    assert any("came back" in w.message for w in report.warnings)


@pytest.mark.parametrize("move_s,pause_s", [(0.6, 0.0), (0.4, 0.1), (1.0, 0.3)])
def test_butt_walk_steps_are_told_apart_by_the_dip_between_them_not_a_pause(move_s, pause_s):
    keys, t, x = [(0, 0.0)], 2.0, 0.0
    for direction in (1, -1):
        for _ in range(6):
            keys += [(t, x), (t + move_s, x + direction * 18.0)]
            x += direction * 18.0
            t += move_s + pause_s
        t += 1.0
    curve = Script(keys)
    report = analyse("butt_walk", lambda s: long_sitting(curve(s)), t + 1.0, SIT_CAM, jitter_px=0.8)
    assert report.steps == {"forward": 6, "backward": 6}


def busy_live_stream_times(duration_s: float, seed: int) -> list[float]:
    """Frame times of a live stream on a busy computer: the analysis keeps only the newest frame,
    so a few frames come close together, then none for most of a second (as logged by the live page
    of a 2-core machine running other work: 3-5 frames/s on average, gaps up to a second)."""
    rng = np.random.default_rng(seed)
    t, times = 0.0, []
    while t < duration_s:
        for _ in range(int(rng.integers(3, 9))):
            times.append(t)
            t += float(rng.uniform(0.07, 0.1))
        t += float(rng.uniform(0.4, 1.0))
    return times


@pytest.mark.parametrize("seed", range(4))
def test_a_sparse_bursty_live_stream_is_judged_as_the_full_recording(seed):
    # Lying still for 7 s, then three press-ups with 1.6 s rests between them, as the live page's
    # fake camera plays a clean clip. Gaps of 0.5-1 s between analysed frames once kept the still
    # start from calibrating (counting began 45 s later from a poor reference), merged repetitions
    # across a short rest and timed a rise hidden in a gap as a jerk.
    pose, duration, _ = press_ups([10, 10, 10], up_s=[2.0] * 3, rest_s=1.6)
    lead = 7.0
    rng = np.random.default_rng(0)
    analyzer = Analyzer(find_spec("prone_press_up"), paced=True)
    for t in busy_live_stream_times(duration + lead, seed):
        analyzer.update(to_landmarks(pose(max(0.0, t - lead)), t, PRONE_CAM, 1.0, rng), t)
    report = analyzer.finish()
    assert report.reps == 3 and report.partials == 0
    assert report.faults == [] and not [w for w in report.warnings if w.kind == "calibration"]
    assert report.events[0].start_s < lead + 4.0  # counted from the start, not from a late reference


def test_a_rise_between_two_readings_is_not_timed():
    # Readings 0.6 s apart across the whole lift: too far apart to tell a jerk from a steady press.
    times = [i * 0.6 for i in range(40)]
    lift = Script([(0, 0.0), (5.0, 0.0), (5.3, 40.0), (12.0, 40.0), (14.0, 0.0)])
    tracker = ExcursionTracker(find_spec("prone_press_up").motion)
    tracker.set_rest(None, 0.0)
    done = [e for e in (tracker.update(t, lift(t)) for t in times) if e is not None]
    assert len(done) == 1 and done[0].complete
    assert done[0].rise_s is None and done[0].lower_s is None
