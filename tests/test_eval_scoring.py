"""Scoring of a report against ground truth, on hand-made cases."""

from __future__ import annotations

from formcheck.evaluation import GroundTruth, score_clip, totals
from formcheck.report import Event, FaultSpan, Report


def _truth(**kw) -> GroundTruth:
    base = dict(clip="c.mp4", exercise="prone_press_up", fps=15, frames=300, width=640, height=480,
                duration_s=20.0, camera={"view": "side", "facing_side": "left"}, reps=2,
                events=[{"kind": "rep", "index": 1, "start_s": 1, "end_s": 8, "duration_s": 4, "faults": []},
                        {"kind": "rep", "index": 2, "start_s": 10, "end_s": 18, "duration_s": 4,
                         "faults": ["pelvis_lift"]}],
                fault_windows=[{"fault": "pelvis_lift", "start_s": 12, "end_s": 16}])
    base.update(kw)
    return GroundTruth.model_validate(base)


def _report(events, faults) -> Report:
    return Report(exercise="prone_press_up", title="t", fps=15, frames=300, frames_with_pose=300, duration_s=20,
                  side="left", calibrated=True, primary_signal="trunk_incline", reps=sum(e.kind == "rep" for e in events),
                  events=events, faults=faults, warnings=[])


def test_fault_in_the_same_event_or_near_its_window_counts_as_found():
    events = [Event(kind="rep", index=1, start_s=1.2, end_s=8.1, duration_s=4.5),
              Event(kind="rep", index=2, start_s=10.3, end_s=17.8, duration_s=3.0, faults=["pelvis_lift"])]
    score = score_clip(_truth(), _report(events, [FaultSpan(fault="pelvis_lift", start_s=16.4, end_s=17.0, message="m")]))
    assert score.exact and score.fault_true_positives == 1 and score.fault_false_positives == 0
    assert sorted(score.hold_errors_s) == [0.5, 1.0]


def test_missed_and_spurious_faults_and_count_errors():
    events = [Event(kind="rep", index=1, start_s=1.2, end_s=8.1, duration_s=4.0, faults=["knees_bent"])]
    report = _report(events, [FaultSpan(fault="knees_bent", start_s=3, end_s=5, message="m")])
    score = score_clip(_truth(), report)
    assert score.count_error == 1 and not score.exact
    assert score.fault_false_negatives == 1 and score.fault_false_positives == 1
    summary = totals([score])
    assert summary.fault_precision == 0.0 and summary.fault_recall == 0.0 and summary.exact_count_rate == 0.0


def test_clean_clip_with_a_fault_is_counted():
    truth = _truth(events=[{"kind": "rep", "index": 1, "start_s": 1, "end_s": 8, "faults": []}], reps=1,
                   fault_windows=[])
    score = score_clip(truth, _report([Event(kind="rep", index=1, start_s=1, end_s=8)],
                                      [FaultSpan(fault="pelvis_lift", start_s=3, end_s=4, message="m")]))
    assert score.clean and totals([score]).clean_clips_with_faults == 1


def test_per_side_exercises_are_exact_only_when_each_side_is():
    sides = ["right", "right", "left", None]  # None: both knees at once, counted in the total only
    events = [{"kind": "hold", "index": i + 1, "start_s": 10 * i, "end_s": 10 * i + 8, "side": side, "faults": []}
              for i, side in enumerate(sides)]
    truth = _truth(events=events, reps=4, fault_windows=[], exercise="knee_to_chest")

    def found(found_sides):
        holds = [Event(kind="hold", index=i + 1, start_s=10 * i, end_s=10 * i + 8, side=side)
                 for i, side in enumerate(found_sides)]
        return _report(holds, []).model_copy(update={"reps": len(holds)})

    score = score_clip(truth, found(sides))
    assert score.exact and score.expected == {"reps": 4, "partials": 0, "left": 1, "right": 2}
    # The right total with one hold given to the wrong side is not exact.
    score = score_clip(truth, found(["right", "left", "left", None]))
    assert not score.exact and score.count_error == 2
