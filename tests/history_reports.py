"""Reports made directly (no video) for the history, export and routine tests."""

from __future__ import annotations

from formcheck.report import Event, FaultSpan, Report

TITLES = {"bridge": "Bridge", "butt_walk": "Butt walk", "seated_side_stretch": "Seated dynamic side stretch",
          "prone_press_up": "Prone press-up", "knee_to_chest": "Knee-to-chest stretch"}


def make_report(exercise: str = "bridge", reps: int = 3, faulty: tuple[int, ...] = (), hold_s: float | None = None,
                per_side: bool = False, steps: tuple[int, int] | None = None, duration_s: float = 40.0,
                source: str | None = "clip.mp4", complete: bool = True) -> Report:
    """`reps` counted repetitions (holds of `hold_s` if given) 4 s apart; the 1-based indices in
    `faulty` carry a "hips_sag" fault with its span. `steps` = (forward, backward) makes a butt walk."""
    events, faults = [], []
    if steps is not None:
        directions = ["forward"] * steps[0] + ["backward"] * steps[1]
        for i, direction in enumerate(directions, start=1):
            events.append(Event(kind="step", index=i, start_s=i * 1.0, end_s=i * 1.0 + 0.6, direction=direction,
                                faults=["knees_bent"] if i in faulty else []))
            if i in faulty:
                faults.append(FaultSpan(fault="knees_bent", start_s=i * 1.0, end_s=i * 1.0 + 0.5,
                                        message="keep your knees straight"))
    else:
        for i in range(1, reps + 1):
            start = 4.0 * i
            side = ("left" if i % 2 else "right") if per_side else None
            events.append(Event(kind="hold" if hold_s else "rep", index=i, start_s=start, end_s=start + 3.0,
                                side=side, duration_s=hold_s, faults=["hips_sag"] if i in faulty else []))
            if i in faulty:
                faults.append(FaultSpan(fault="hips_sag", start_s=start + 1.0, end_s=start + 2.0,
                                        message="lift your hips level"))
    by_side = None
    if per_side:
        by_side = {"left": sum(1 for e in events if e.side == "left"), "right": sum(1 for e in events if e.side == "right")}
    counts: dict[str, int] = {}
    for f in faults:
        counts[f.fault] = counts.get(f.fault, 0) + 1
    return Report(
        exercise=exercise, title=TITLES.get(exercise, exercise), source=source, complete=complete, fps=30.0,
        frames=int(duration_s * 30), frames_with_pose=int(duration_s * 30), duration_s=duration_s,
        side="left", calibrated=True, primary_signal="signal", hold_target_s=hold_s,
        reps=0 if steps is not None else reps, reps_by_side=by_side,
        steps={"forward": steps[0], "backward": steps[1]} if steps is not None else None,
        sets=1 if steps is not None else None, events=events, faults=faults, fault_counts=counts, warnings=[],
    )
