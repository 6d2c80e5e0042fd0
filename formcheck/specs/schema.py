"""The schema of an exercise spec (`exercise_specs/<id>.yaml`).

A spec is data: what to measure (signals), how a repetition, hold or step is recognised (motion),
and which form faults to flag with which cue. The engine interprets it; nothing in it is executed.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ..landmarks import LANDMARK_NAMES
from .conditions import Condition

# Landmarks written without a side ("knee") are resolved to the side a signal is measured on.
SIDED_LANDMARKS = frozenset(
    name.removeprefix("left_") for name in LANDMARK_NAMES if name.startswith("left_")
)
UNSIDED_LANDMARKS = frozenset(name for name in LANDMARK_NAMES if not name.startswith(("left_", "right_")))

SignalSide = Literal["near", "far", "working", "other", "left", "right", "mid"]
Normaliser = Literal["torso", "leg"]
Phase = Literal["any", "rest", "rising", "top", "lowering", "active", "moving"]

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


def check_landmark_name(name: str) -> str:
    base = name.removeprefix("mid_")
    if base in SIDED_LANDMARKS or base in UNSIDED_LANDMARKS or name in LANDMARK_NAMES:
        if name.startswith("mid_") and base not in SIDED_LANDMARKS:
            raise ValueError(f"'{name}': only a left/right landmark has a midpoint")
        return name
    raise ValueError(
        f"unknown landmark '{name}' (use e.g. hip, knee, shoulder, mid_hip, left_ankle, nose)"
    )


def _check_condition(text: str) -> str:
    Condition.parse(text)
    return text


def _check_id(value: str) -> str:
    if not ID_PATTERN.match(value):
        raise ValueError(f"'{value}' must be lower_snake_case")
    return value


LandmarkName = Annotated[str, AfterValidator(check_landmark_name)]
ConditionText = Annotated[str, AfterValidator(_check_condition)]
Identifier = Annotated[str, AfterValidator(_check_id)]


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class _SignalBase(_Strict):
    description: str = ""
    side: SignalSide = "near"
    # Relative signals are reported as the change from their value in the calibrated start position.
    relative: bool = False

    @property
    def unit(self) -> str:
        """What the signal's numbers count: degrees, or lengths of the calibrated torso or leg."""
        normalize = getattr(self, "normalize", None)
        return f"{normalize} lengths" if normalize else "°"

    def amount(self, value: float) -> str:
        """A value with its unit, as a reader of the spec needs it: "18°", "0.06 torso lengths"."""
        return f"{value:g}°" if self.unit == "°" else f"{value:g} {self.unit}"


class AngleSignal(_SignalBase):
    """Inside angle at the middle landmark, in degrees (180 = straight)."""

    kind: Literal["angle"]
    points: tuple[LandmarkName, LandmarkName, LandmarkName]



class InclineSignal(_SignalBase):
    """Angle of the segment from -> to, in degrees. reference=floor: elevation above the floor line
    (0 = lying along the floor, 90 = pointing straight up). reference=vertical: signed lean from
    upright, positive toward the person's front (needs calibration.forward). reference=lateral (a
    person facing the camera): signed sideways lean from upright, positive toward the signal's side
    (the person's own left or right, so a mirrored image does not swap them)."""

    kind: Literal["incline"]
    from_: LandmarkName = Field(alias="from")
    to: LandmarkName
    reference: Literal["floor", "vertical", "lateral"] = "floor"



class HeightSignal(_SignalBase):
    """Rise of a landmark above its calibrated position, perpendicular to the floor line,
    divided by the calibrated torso or leg length."""

    kind: Literal["height"]
    landmark: LandmarkName
    normalize: Normaliser = "torso"



class ElevationSignal(_SignalBase):
    """How far a landmark is above another one, perpendicular to the floor line, divided by the
    calibrated torso or leg length (negative = below)."""

    kind: Literal["elevation"]
    landmark: LandmarkName
    above: LandmarkName
    normalize: Normaliser = "torso"


class DistanceSignal(_SignalBase):
    """Distance between two landmarks divided by the calibrated torso or leg length."""

    kind: Literal["distance"]
    between: tuple[LandmarkName, LandmarkName]
    normalize: Normaliser = "torso"



class LineOffsetSignal(_SignalBase):
    """Signed distance of a landmark from the line through two others (positive = above it, away
    from the floor), divided by the calibrated torso or leg length."""

    kind: Literal["line_offset"]
    landmark: LandmarkName
    line: tuple[LandmarkName, LandmarkName]
    normalize: Normaliser = "torso"



class ProgressSignal(_SignalBase):
    """Travel of a landmark along the person's forward direction since calibration, divided by
    the calibrated leg length (positive = forward). Needs calibration.forward."""

    kind: Literal["progress"]
    landmark: LandmarkName
    normalize: Normaliser = "leg"



Signal = Annotated[
    Union[AngleSignal, InclineSignal, HeightSignal, ElevationSignal, DistanceSignal, LineOffsetSignal,
          ProgressSignal],
    Field(discriminator="kind"),
]


class Camera(_Strict):
    view: Literal["side", "front"]
    placement: str
    # Landmarks (on the measured side) that must be inside the picture for the exercise to be judged.
    required_landmarks: list[LandmarkName] = Field(min_length=1)



class Dosage(_Strict):
    reps: int | None = Field(default=None, ge=1)
    sets: str | None = None
    hold_s: float | None = Field(default=None, gt=0)
    per_side: bool = False
    frequency: str | None = None
    notes: str | None = None


class Calibration(_Strict):
    duration_s: float = Field(default=1.0, gt=0, le=10)
    # Conditions that must hold for the whole calibration window (relative signals are checked on
    # their absolute value; signals measured from the calibration itself cannot be used).
    start_position: list[ConditionText] = Field(default_factory=list)
    # Two landmarks that rest on the floor in the start position; their line is the floor line.
    floor_line: tuple[LandmarkName, LandmarkName] | None = None
    # Two landmarks whose direction (first -> second) is the person's front.
    forward: tuple[LandmarkName, LandmarkName] | None = None


class Thresholds(_Strict):
    """The four thresholds of an excursion, in the primary signal's unit."""

    start: float
    top: float
    top_exit: float
    rest: float

    def check_order(self, direction: str) -> None:
        """rest < start <= top_exit < top, read in the signal's direction of movement."""
        sign = 1.0 if direction == "increase" else -1.0
        rest, start, top_exit, top = (sign * x for x in (self.rest, self.start, self.top_exit, self.top))
        word = "greater" if sign > 0 else "smaller"
        if not start > rest:
            raise ValueError(f"start must be {word} than rest for a signal that should {direction}")
        if not top_exit >= start:
            raise ValueError(f"top_exit must be {word} than or equal to start")
        if not top > top_exit:
            raise ValueError(f"top must be {word} than top_exit (hysteresis)")


class ExcursionMotion(_Strict):
    """A movement away from rest and back: a repetition (optionally with a timed top position) or a
    hold. Thresholds are in the primary signal's unit and read in its direction of movement:
    rest < start <= top_exit < top for an increasing signal (reversed for a decreasing one)."""

    kind: Literal["repetitions", "holds"]
    signal: str
    direction: Literal["increase", "decrease"]
    start: float
    top: float
    top_exit: float
    rest: float
    min_dwell_s: float = Field(default=0.3, ge=0, le=5)
    hold_target_s: float | None = Field(default=None, gt=0)
    # Extra conditions that must hold while at the top for the repetition to count as complete.
    complete_when: list[ConditionText] = Field(default_factory=list)
    per_side: bool = False
    # Per-side exercises: thresholds for an attempt by the limb farther from the camera, whose hidden
    # joints the pose model places less well (the spec says why in its limitations).
    far_side: Thresholds | None = None

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> "ExcursionMotion":
        self.thresholds().check_order(self.direction)
        if self.far_side is not None:
            if not self.per_side:
                raise ValueError("far_side thresholds need per_side: true")
            try:
                self.far_side.check_order(self.direction)
            except ValueError as exc:
                raise ValueError(f"far_side: {exc}") from None
        if self.kind == "holds" and self.hold_target_s is None:
            raise ValueError("hold_target_s is required for holds")
        return self

    def thresholds(self, far_side: bool = False) -> Thresholds:
        if far_side and self.far_side is not None:
            return self.far_side
        return Thresholds(start=self.start, top=self.top, top_exit=self.top_exit, rest=self.rest)


class StepMotion(_Strict):
    """Shuffling travel (butt walks): each burst of movement of the progress signal is one step."""

    kind: Literal["steps"]
    signal: str
    # A burst counts as a step when it moves at least this far (signal units, e.g. leg lengths).
    min_step: float = Field(gt=0)
    # Speed (signal units per second) above which the body is moving, and below which it has stopped.
    moving_speed: float = Field(gt=0)
    still_speed: float = Field(gt=0)
    min_pause_s: float = Field(default=0.1, ge=0)

    @model_validator(mode="after")
    def _hysteresis(self) -> "StepMotion":
        if not self.still_speed < self.moving_speed:
            raise ValueError("still_speed must be smaller than moving_speed")
        return self


class PacedMotion(_Strict):
    """A paced hold timer for movements one camera cannot measure (e.g. a pelvic tilt): formcheck
    calls "hold" and "relax" in turn; hold time runs while the body is in view, and the faults seen
    during a hold are attached to it. `signal` is the one plotted."""

    kind: Literal["paced"]
    signal: str
    hold_s: float = Field(gt=0, le=120)
    relax_s: float = Field(gt=0, le=120)
    # Cues called at the start of each hold and each rest.
    hold_cue: str = Field(min_length=3)
    relax_cue: str = Field(min_length=3)


Motion = Annotated[Union[ExcursionMotion, StepMotion, PacedMotion], Field(discriminator="kind")]


class FaultRule(_Strict):
    """A posture fault: its conditions hold, in the given phase, for at least min_duration_s."""

    id: Identifier
    when: Annotated[list[ConditionText], BeforeValidator(_as_list)] = Field(min_length=1)
    # "all": every condition must hold; "any": one is enough (e.g. knees bend OR feet lift).
    match: Literal["all", "any"] = "all"
    phase: Phase = "active"
    min_duration_s: float = Field(default=0.5, ge=0)
    cue: str = Field(min_length=3)



class EventFaultRule(_Strict):
    """A fault judged on a whole repetition or hold: its timing rather than a posture."""

    id: Identifier
    check: Literal["hold_shorter_than_target", "rise_faster_than", "lower_faster_than", "cycle_faster_than"]
    seconds: float | None = Field(default=None, gt=0)
    cue: str = Field(min_length=3)


    @model_validator(mode="after")
    def _seconds_given(self) -> "EventFaultRule":
        if self.check != "hold_shorter_than_target" and self.seconds is None:
            raise ValueError(f"'seconds' is required for check {self.check}")
        return self


class ExerciseSpec(_Strict):
    id: Identifier
    title: str = Field(min_length=3)
    summary: str = Field(min_length=10)
    sources: list[str] = Field(min_length=1)
    instructions: list[str] = Field(min_length=1)
    dosage: Dosage
    safety: list[str] = Field(min_length=1)
    limitations: str | None = None
    camera: Camera
    min_visibility: float = Field(default=0.5, ge=0, le=1)
    signals: dict[str, Signal] = Field(min_length=1)
    # Signals drawn on the annotated video next to the skeleton.
    display_signals: list[str] = Field(default_factory=list)
    calibration: Calibration = Calibration()
    motion: Motion
    faults: list[FaultRule] = Field(default_factory=list)
    event_faults: list[EventFaultRule] = Field(default_factory=list)


    @model_validator(mode="after")
    def _references(self) -> "ExerciseSpec":
        known = set(self.signals)

        def need(signal: str, where: str) -> None:
            if signal not in known:
                raise ValueError(f"{where} uses unknown signal '{signal}' (defined: {', '.join(sorted(known))})")

        need(self.motion.signal, "motion.signal")
        for text in getattr(self.motion, "complete_when", []):
            need(Condition.parse(text).signal, "motion.complete_when")
        for name in self.display_signals:
            need(name, "display_signals")
        for text in self.calibration.start_position:
            name = Condition.parse(text).signal
            need(name, "calibration.start_position")
            if needs_calibration(self.signals[name]):
                raise ValueError(
                    f"calibration.start_position uses '{name}', which is itself measured from the calibration"
                )
        for i, rule in enumerate(self.faults):
            for text in rule.when:
                need(Condition.parse(text).signal, f"faults[{i}] ({rule.id}).when")
        ids = [r.id for r in self.faults] + [r.id for r in self.event_faults]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"fault ids must be unique; repeated: {', '.join(dupes)}")
        needs_forward = [
            n for n, s in self.signals.items()
            if isinstance(s, ProgressSignal) or (isinstance(s, InclineSignal) and s.reference == "vertical")
        ]
        if needs_forward and self.calibration.forward is None:
            raise ValueError(f"signals {', '.join(needs_forward)} need calibration.forward")
        per_side = isinstance(self.motion, ExcursionMotion) and self.motion.per_side
        for name, sig in self.signals.items():
            if sig.side in ("working", "other") and not per_side:
                raise ValueError(f"signals.{name}: side '{sig.side}' needs motion.per_side: true")
        for rule in self.event_faults:
            if rule.check == "hold_shorter_than_target" and (
                not isinstance(self.motion, ExcursionMotion) or self.motion.hold_target_s is None
            ):
                raise ValueError(f"event_faults ({rule.id}): hold_shorter_than_target needs motion.hold_target_s")
        return self


def needs_calibration(signal: BaseModel) -> bool:
    """Signals that mean nothing before calibration: they use its lengths, positions or forward
    direction (relative angles do not: the start position is checked on their absolute value)."""
    return isinstance(signal, (HeightSignal, ElevationSignal, DistanceSignal, LineOffsetSignal, ProgressSignal)) or (
        isinstance(signal, InclineSignal) and signal.reference == "vertical"
    )
