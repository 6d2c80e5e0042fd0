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



class OutlineSignal(_SignalBase):
    """How far the body's outline bulges from straight between two landmarks, read from the person's
    silhouette (the pose model's segmentation), not from the landmarks: the spine itself has none.
    The outline on the chosen edge (upper = away from the floor: the back on all fours, the belly
    lying on the back; lower = toward it) is found across the line `along` at the fractions `at` of
    the way from its first landmark to its second, and compared with the straight line through the
    outline at the two fractions `ends`; the mean offset, divided by the length of `along`, is the
    value (positive = bulging away from the floor). Needs no calibration."""

    kind: Literal["outline"]
    along: tuple[LandmarkName, LandmarkName]
    edge: Literal["upper", "lower"] = "upper"
    at: list[Annotated[float, Field(gt=0, lt=1)]] = Field(default_factory=lambda: [0.5], min_length=1)
    ends: tuple[Annotated[float, Field(ge=0, le=1)], Annotated[float, Field(ge=0, le=1)]] = (0.2, 0.8)

    @property
    def unit(self) -> str:
        bases = {name.removeprefix("mid_").removeprefix("left_").removeprefix("right_") for name in self.along}
        return "torso lengths" if bases == {"hip", "shoulder"} else f"lengths of {self.along[0]}-{self.along[1]}"

    @model_validator(mode="after")
    def _ends_apart(self) -> "OutlineSignal":
        if not self.ends[1] - self.ends[0] >= 0.2:
            raise ValueError("ends must be two fractions in order, at least 0.2 apart")
        return self


class MeanSignal(_SignalBase):
    """The mean of other relative signals (their changes since the start position), of those that can
    be measured in the frame: one movement seen in two limbs (a bird-dog's arm and leg), so that
    it is still followed when one of them is hidden or out of the picture."""

    kind: Literal["mean"]
    of: list[str] = Field(min_length=2)


class LeastSignal(_SignalBase):
    """The least of other relative signals (their changes since the start position), of those that
    can be measured in the frame: a movement made with several limbs at once (a bird-dog's arm and
    opposite leg) follows the one that moved least, so one limb moving alone (a hand to the face) is
    not the exercise, while a limb out of the picture leaves the others to follow it."""

    kind: Literal["least"]
    of: list[str] = Field(min_length=2)


class DifferenceSignal(_SignalBase):
    """The first of two relative signals less the second (both changes since the start position):
    how much one part moved beyond another, e.g. the head tipping back further than the trunk rose."""

    kind: Literal["difference"]
    of: tuple[str, str]


COMBINED_SIGNALS = (MeanSignal, LeastSignal, DifferenceSignal)  # signals made of other signals

Signal = Annotated[
    Union[AngleSignal, InclineSignal, HeightSignal, ElevationSignal, DistanceSignal, LineOffsetSignal,
          ProgressSignal, OutlineSignal, MeanSignal, LeastSignal, DifferenceSignal],
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
    """How far from the person's own rest level an excursion must go, in the primary signal's unit and
    read in its direction of movement (always positive amounts)."""

    # Leaving rest: the signal has moved this far from the person's rest level (above its noise).
    start: float = Field(gt=0)
    # The least range, from rest to the top of the attempt, that counts as a repetition or hold: the
    # person clearly left rest. Below it an attempt is reported as partial, with the range it reached.
    minimum: float = Field(gt=0)
    # The textbook range from rest. Each repetition reports its range against it; falling short is a
    # cue and a figure in the report, not an uncounted repetition.
    target: float = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "Thresholds":
        if not self.minimum > self.start:
            raise ValueError("minimum must be greater than start")
        if not self.target >= self.minimum:
            raise ValueError("target must be at least minimum")
        return self


class Pacing(_Strict):
    """formcheck-led holds for the live page: it calls "hold" and "relax" in turn and counts the holds
    it paced. A recorded video is always counted from the movement itself."""

    hold_s: float = Field(gt=0, le=120)
    relax_s: float = Field(gt=0, le=120)
    hold_cue: str = Field(min_length=3)
    relax_cue: str = Field(min_length=3)


class ExcursionMotion(_Strict):
    """A movement away from the person's rest position and back: a repetition (optionally with a timed
    top position) or a hold. Its thresholds are measured from the person's own rest level, found in
    the recording, never from fixed positions: a repetition counts when the person clearly leaves
    rest (`start`), reaches a top at least `minimum` away from rest, and comes back."""

    kind: Literal["repetitions", "holds"]
    signal: str
    direction: Literal["increase", "decrease"]
    start: float = Field(gt=0)
    minimum: float = Field(gt=0)
    target: float = Field(gt=0)
    min_dwell_s: float = Field(default=0.3, ge=0, le=5)
    # The movement also goes the other way from rest (a cat-cow's cow after the cat): the rest level
    # stays where the person rests and does not follow the signal to the far end of the other way.
    both_ways: bool = False
    hold_target_s: float | None = Field(default=None, gt=0)
    # A clinical minimum beyond the range: conditions that must hold at the top for the attempt to
    # count at all, with the reason said when they do not (e.g. a superman needs the chest to lift).
    required_at_top: list[ConditionText] = Field(default_factory=list)
    required_reason: str | None = None
    # Said when a repetition falls short of the target range, with the figure.
    range_cue: str = Field(default="move a little further if it is comfortable", min_length=3)
    # Said when a hold is shorter than hold_target_s, with the time held: the dose, not a form fault.
    hold_cue: str = Field(default="hold a little longer", min_length=3)
    per_side: bool = False
    # Per-side exercises: thresholds for an attempt by the limb farther from the camera, whose hidden
    # joints the pose model places less well (the spec says why in its limitations).
    far_side: Thresholds | None = None
    # Optional formcheck-led pacing for the live page (see Pacing).
    pacing: Pacing | None = None

    @model_validator(mode="after")
    def _ordered_thresholds(self) -> "ExcursionMotion":
        try:
            Thresholds(start=self.start, minimum=self.minimum, target=self.target)
        except ValueError as exc:
            raise ValueError(_first_error(exc)) from None
        if self.far_side is not None and not self.per_side:
            raise ValueError("far_side thresholds need per_side: true")
        if self.kind == "holds" and self.hold_target_s is None:
            raise ValueError("hold_target_s is required for holds")
        if self.required_at_top and not self.required_reason:
            raise ValueError("required_at_top needs required_reason: what to tell the person when it is not met")
        return self

    def thresholds(self, far_side: bool = False) -> Thresholds:
        if far_side and self.far_side is not None:
            return self.far_side
        return Thresholds(start=self.start, minimum=self.minimum, target=self.target)


def _first_error(exc: ValueError) -> str:
    """The message of a nested model's validation error, without pydantic's framing."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return str(errors()[0]["msg"]).removeprefix("Value error, ")
    return str(exc)


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


Motion = Annotated[Union[ExcursionMotion, StepMotion], Field(discriminator="kind")]


class FaultRule(_Strict):
    """A posture fault: its conditions hold, in the given phase, for at least min_duration_s."""

    id: Identifier
    when: Annotated[list[ConditionText], BeforeValidator(_as_list)] = Field(min_length=1)
    # "all": every condition must hold; "any": one is enough (e.g. knees bend OR feet lift).
    match: Literal["all", "any"] = "all"
    phase: Phase = "active"
    min_duration_s: float = Field(default=0.5, ge=0)
    cue: str = Field(min_length=3)
    # Judged only while the camera is within about 30 degrees of side-on: from further round, the 2D
    # angles the rule reads (the head's, say) no longer say what they measure.
    needs_side_on_view: bool = False



class EventFaultRule(_Strict):
    """A fault judged on a whole repetition or hold: its timing rather than a posture."""

    id: Identifier
    # hold_shorter_than: time at the top under `seconds` (a bounce instead of a pause; a hold merely
    # shorter than the prescribed dose is reported as such, not as a fault); rise/lower_faster_than:
    # the way up or down took under `seconds` (a jerk); cycle_faster_than: the whole movement did.
    check: Literal["hold_shorter_than", "rise_faster_than", "lower_faster_than", "cycle_faster_than"]
    seconds: float = Field(gt=0)
    cue: str = Field(min_length=3)



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
    # The person has left the exercise (sat up, got up) when any of these holds for a moment: an
    # attempt under way is then not counted, and nothing is judged until they are back in position.
    left_exercise_when: list[ConditionText] = Field(default_factory=list)

    @property
    def needs_silhouette(self) -> bool:
        """Whether any signal reads the person's outline, so the pose model must segment the person."""
        return any(isinstance(s, OutlineSignal) for s in self.signals.values())

    @model_validator(mode="after")
    def _references(self) -> "ExerciseSpec":
        known = set(self.signals)

        def need(signal: str, where: str) -> None:
            if signal not in known:
                raise ValueError(f"{where} uses unknown signal '{signal}' (defined: {', '.join(sorted(known))})")

        need(self.motion.signal, "motion.signal")
        for text in getattr(self.motion, "required_at_top", []):
            need(Condition.parse(text).signal, "motion.required_at_top")
        for text in self.left_exercise_when:
            need(Condition.parse(text).signal, "left_exercise_when")
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
            if isinstance(sig, OutlineSignal) and sig.side in ("working", "other"):
                raise ValueError(f"signals.{name}: an outline is read once per frame, on the near side or mid")
            if isinstance(sig, COMBINED_SIGNALS):
                for part in sig.of:
                    need(part, f"signals.{name}.of")
                    if isinstance(self.signals[part], COMBINED_SIGNALS) or not self.signals[part].relative:
                        raise ValueError(f"signals.{name}: '{part}' must be a relative signal (not itself a "
                                         f"{sig.kind}): it combines changes since the start position")
                if sig.relative:
                    raise ValueError(f"signals.{name}: a {sig.kind} is already of changes; it cannot be relative")
        for rule in self.event_faults:
            if not isinstance(self.motion, ExcursionMotion):
                raise ValueError(f"event_faults ({rule.id}): timing checks need repetitions or holds")
        return self


def needs_calibration(signal: BaseModel) -> bool:
    """Signals that mean nothing before calibration: they use its lengths, positions or forward
    direction (relative angles do not: the start position is checked on their absolute value)."""
    return isinstance(signal, (HeightSignal, ElevationSignal, DistanceSignal, LineOffsetSignal, ProgressSignal,
                               *COMBINED_SIGNALS)) or (
        isinstance(signal, InclineSignal) and signal.reference == "vertical"
    )
