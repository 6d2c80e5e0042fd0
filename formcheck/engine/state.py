"""What the engine knows after each frame: drawn on the video and shown on the live page."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ActiveFault:
    fault: str
    cue: str


@dataclass(frozen=True)
class FrameState:
    timestamp_s: float
    has_pose: bool
    # "no_person" | "adjust_view" | "calibrating" | "rest" | "rising" | "top" | "lowering" | "moving"
    # | "left_exercise"
    phase: str
    side: str | None = None
    calibrated: bool = False
    calibration_progress: float = 0.0
    signals: dict[str, float | None] = field(default_factory=dict)
    primary_signal: str = ""
    primary_value: float | None = None
    reps: int = 0
    partials: int = 0
    reps_by_side: dict[str, int] = field(default_factory=dict)
    steps_forward: int = 0
    steps_backward: int = 0
    hold_s: float = 0.0
    hold_good_s: float = 0.0  # of hold_s, the time with no posture fault: what a hold countdown shows
    hold_target_s: float | None = None
    range_fraction: float | None = None  # the attempt under way: its range as a share of the target
    working_side: str | None = None
    active_faults: tuple[ActiveFault, ...] = ()
    message: str | None = None  # the one cue to show now
    guidance: str | None = None  # a set-up problem to fix (camera view, framing), shown beside the cue
    last_event: str | None = None  # kind of an event completed on this very frame
