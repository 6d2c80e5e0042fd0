"""Routine files (the bundled ones and every kind of mistake in one) and the RoutineRunner state
machine driven by synthetic FrameStates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from formcheck.engine import FrameState
from formcheck.routines import (CountRange, Routine, RoutineError, default_routines_dir, find_routine,
                                load_all_routines, load_routine)
from formcheck.specs import load_all_specs
from formcheck.ui.routine_runner import AWAY_ENDS_SET_S, RoutineRunner, follow_live_state

SPECS = load_all_specs()

GOOD = """\
id: {id}
title: Test routine
summary: A routine for the tests, short and clear.
source: tests
steps:
  - exercise: bridge
    sets: 2
    reps: 3
    rest_s: 10
"""


def _write(tmp_path: Path, text: str, name: str = "my_routine") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------------- the bundled routines
def test_the_bundled_routines_load_and_follow_their_seeds():
    routines = load_all_routines()
    assert set(routines) >= {"ql_routine", "low_back_basics"}
    ql = routines["ql_routine"]
    warmup, walks = ql.steps
    # Seed 002: dynamic side stretch 5 x 5 s per side as a warm-up, then butt walks 8-10 for 2-3 sets.
    assert (warmup.exercise, str(warmup.reps), warmup.hold_s, warmup.per_side, str(warmup.sets)) == (
        "seated_side_stretch", "5", 5.0, True, "1")
    assert (walks.exercise, walks.reps, walks.sets) == ("butt_walk", CountRange(low=8, high=10),
                                                        CountRange(low=2, high=3))
    assert "3-4 times a week" in ql.frequency
    basics = routines["low_back_basics"]
    # Seed 001: knee-to-chest (20-30 s, 3-5 per side), then pelvic tilts, cat-cow, bird-dog, superman, bridges.
    assert [s.exercise for s in basics.steps] == ["knee_to_chest", "pelvic_tilt", "cat_cow", "bird_dog", "superman",
                                                  "bridge"]
    knee = basics.steps[0]
    assert (str(knee.reps), knee.hold_s, knee.per_side) == ("3-5", 20.0, True)
    assert find_routine("ql_routine") == ql
    assert default_routines_dir().parent.name == "exercise_specs"


def test_per_side_defaults_to_the_exercise_spec(tmp_path):
    text = GOOD.format(id="my_routine").replace("bridge", "bird_dog")
    assert load_routine(_write(tmp_path, text), SPECS).steps[0].per_side is True
    assert load_routine(_write(tmp_path, GOOD.format(id="my_routine")), SPECS).steps[0].per_side is False


@pytest.mark.parametrize("edit, message", [
    (lambda t: t.replace("exercise: bridge", "exercise: bridges"),
     r"steps\[0\]\.exercise: unknown exercise 'bridges' \(known: bird_dog, bridge, "),
    (lambda t: t.replace("reps: 3", "reps: 8-"), r"steps\[0\]\.reps: '8-' is not a count"),
    (lambda t: t.replace("reps: 3", "reps: 10-8"), r"steps\[0\]\.reps: the range 10-8 must go from low to high"),
    (lambda t: t.replace("reps: 3", "reps: 0"), r"steps\[0\]\.reps\.low: Input should be greater than or equal to 1"),
    (lambda t: t.replace("    reps: 3\n", ""), r"steps\[0\]\.reps: is required but missing"),
    (lambda t: t.replace("rest_s: 10", "rest: 10"), r"steps\[0\]\.rest: is not a known field"),
    (lambda t: t.replace("rest_s: 10", "rest_s: -5"), r"steps\[0\]\.rest_s: Input should be greater than or equal"),
    (lambda t: t.replace("exercise: bridge", "exercise: butt_walk") + "    hold_s: 5\n",
     r"steps\[0\]\.hold_s: butt_walk counts steps; it has no hold"),
    (lambda t: t + "    per_side: true\n", r"steps\[0\]\.per_side: bridge is not counted per side"),
    (lambda t: t.replace("id: my_routine", "id: other"), r"id: 'other' must match the file name 'my_routine'"),
    (lambda t: t.replace("id: my_routine", "id: My-Routine"), r"id: 'My-Routine' must be lower_snake_case"),
    (lambda t: t.split("steps:")[0] + "steps: []\n", r"steps: List should have at least 1 item"),
    (lambda t: t.replace("sets: 2", "sets: [2"), r"not valid YAML at line \d+"),
    (lambda t: "- just\n- a list\n", r"expected a mapping of fields at the top level"),
])
def test_mistakes_give_one_line_errors_naming_file_and_field(tmp_path, edit, message):
    path = _write(tmp_path, edit(GOOD.format(id="my_routine")))
    with pytest.raises(RoutineError) as caught:
        load_routine(path, SPECS)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and "\n" not in text
    assert re.search(message, text), text


def test_missing_files_and_unknown_routines(tmp_path):
    with pytest.raises(RoutineError, match="file not found"):
        load_routine(tmp_path / "nope.yaml", SPECS)
    _write(tmp_path, GOOD.format(id="mine"), "mine")
    with pytest.raises(RoutineError, match=r"unknown routine 'yours' \(known: mine\)"):
        find_routine("yours", tmp_path, SPECS)
    assert load_all_routines(tmp_path / "absent", SPECS) == {}
    assert list(load_all_routines(tmp_path, SPECS)) == ["mine"]


# ---------------------------------------------------------------------- the runner
def _routine(*steps: dict) -> Routine:
    return Routine.model_validate({"id": "r", "title": "Test routine", "summary": "A routine for the tests.",
                                   "source": "tests", "steps": list(steps)})


def _state(t: float, reps: int = 0, left: int = 0, right: int = 0, forward: int = 0, backward: int = 0) -> FrameState:
    return FrameState(timestamp_s=t, has_pose=True, phase="rest", calibrated=True, reps=reps,
                      reps_by_side={"left": left, "right": right}, steps_forward=forward, steps_backward=backward)


def test_sets_rest_countdown_and_the_next_exercise():
    runner = RoutineRunner(_routine({"exercise": "bridge", "sets": 2, "reps": 3, "rest_s": 20},
                                    {"exercise": "superman", "sets": 1, "reps": 2, "rest_s": 15}), SPECS)
    assert (runner.phase, runner.exercise, runner.view(0).set_number) == ("exercise", "bridge", 1)
    for t, reps in ((1.0, 1), (2.0, 1), (3.0, 2)):
        runner.on_frame_state(_state(t, reps), exercise="bridge")
    assert runner.view(3.0).counts == {"reps": 2} and runner.phase == "exercise"
    runner.on_frame_state(_state(4.0, 3), exercise="bridge")  # target reached: set 1 done, rest starts
    view = runner.view(9.0)
    assert (view.phase, view.set_number, view.rest_s, view.rest_remaining_s) == ("rest", 2, 20.0, 15.0)
    runner.on_frame_state(_state(10.0, 4), exercise="bridge")  # a repetition during the rest is not counted
    runner.tick(23.9)
    assert runner.phase == "rest" and runner.view(23.9).rest_remaining_s == pytest.approx(0.1)
    runner.tick(24.0)
    assert runner.phase == "exercise" and runner.view(24.0).counts == {"reps": 0}
    for t, reps in ((25.0, 5), (26.0, 6)):
        runner.on_frame_state(_state(t, reps), exercise="bridge")
    assert runner.phase == "exercise" and runner.view(26).counts == {"reps": 2}
    runner.on_frame_state(_state(27.0, 7), exercise="bridge")
    # Both sets done: resting (bridge's rest) before superman, which the live page should already be analysing.
    assert (runner.phase, runner.exercise, runner.view(27).rest_remaining_s) == ("rest", "superman", 20.0)
    runner.on_frame_state(_state(30.0, 7), exercise="bridge")  # a stale state of the old exercise: ignored
    runner.on_frame_state(_state(48.0, 0), exercise="superman")  # new analyzer; rest over at 47
    assert runner.phase == "exercise" and runner.view(48).counts == {"reps": 0}
    runner.on_frame_state(_state(49.0, 1), exercise="superman")
    runner.on_frame_state(_state(49.0, 1), exercise="superman")  # the same state twice counts once
    runner.on_frame_state(_state(50.0, 2), exercise="superman")
    assert runner.phase == "done"
    results = [(r.exercise, r.set_number, r.counts, r.met, r.ended_by) for r in runner.results]
    assert results == [("bridge", 1, {"reps": 3}, True, "target"), ("bridge", 2, {"reps": 3}, True, "target"),
                       ("superman", 1, {"reps": 2}, True, "target")]


def test_per_side_holds_need_both_sides_and_steps_need_both_directions():
    runner = RoutineRunner(_routine({"exercise": "seated_side_stretch", "reps": 2, "hold_s": 5, "rest_s": 0},
                                    {"exercise": "butt_walk", "sets": "2-3", "reps": "8-10", "rest_s": 30}), SPECS)
    assert runner.parts() == ("left", "right") and runner.hold_s == 5
    runner.on_frame_state(_state(1, reps=3, left=2, right=1))
    assert runner.phase == "exercise" and runner.view(1).counts == {"left": 2, "right": 1}
    runner.on_frame_state(_state(2, reps=4, left=2, right=2))
    # rest_s 0: straight on to the butt walks
    assert (runner.phase, runner.exercise, runner.parts()) == ("exercise", "butt_walk", ("forward", "backward"))
    runner.on_frame_state(_state(3, forward=10, backward=9), exercise="butt_walk")
    assert runner.phase == "exercise"
    runner.on_frame_state(_state(4, forward=10, backward=10), exercise="butt_walk")
    view = runner.view(4)
    assert (view.phase, view.set_number, str(view.set_count), view.rest_remaining_s) == ("rest", 2, "2-3", 30.0)


def test_advance_ends_a_set_early_and_skips_a_rest():
    runner = RoutineRunner(_routine({"exercise": "bridge", "sets": "2-3", "reps": "8-10", "rest_s": 60},
                                    {"exercise": "cat_cow", "reps": 10}), SPECS)
    runner.on_frame_state(_state(5, reps=8))
    runner.advance(6)  # 8 of 8-10: enough
    assert runner.phase == "rest" and runner.results[-1].met and runner.results[-1].ended_by == "advance"
    runner.advance(7)  # skip the rest
    assert runner.phase == "exercise" and runner.view(7).set_number == 2
    runner.on_frame_state(_state(8, reps=12))
    runner.advance(9)  # 4 of 8-10: ended early, not met
    assert runner.results[-1].counts == {"reps": 4} and not runner.results[-1].met
    runner.advance(10)
    runner.skip_exercise(11)  # two sets of "2-3" are enough: on to cat-cow
    assert (runner.phase, runner.exercise, runner.view(11).rest_remaining_s) == ("rest", "cat_cow", 60.0)
    assert runner.view(11).set_number == 1
    assert [r.ended_by for r in runner.results] == ["advance", "advance", "skip"]
    runner.skip_exercise(12)  # skipping the last exercise ends the routine
    assert runner.phase == "done"
    runner.advance(13)
    runner.on_frame_state(_state(14, reps=50))
    assert runner.phase == "done" and len(runner.results) == 3


def test_a_restarted_analyzer_counts_from_zero_again():
    runner = RoutineRunner(_routine({"exercise": "bridge", "sets": 2, "reps": 3, "rest_s": 5}), SPECS)
    runner.on_frame_state(_state(1, reps=3))
    runner.tick(6)
    assert runner.phase == "exercise"
    runner.on_frame_state(_state(7, reps=1))  # the camera was stopped and started: a fresh analyzer
    assert runner.view(7).counts == {"reps": 1}
    runner.on_frame_state(_state(8, reps=3))
    assert runner.phase == "done"


def test_a_restart_in_the_middle_of_a_set_keeps_what_the_set_had_done():
    runner = RoutineRunner(_routine({"exercise": "bridge", "sets": 2, "reps": 5, "rest_s": 5}), SPECS)
    runner.on_frame_state(_state(1, reps=5))
    runner.tick(6)
    runner.on_frame_state(_state(7, reps=7))  # two of the second set's five
    runner.on_frame_state(_state(8, reps=1))  # the camera was stopped and started: a fresh analyzer
    assert runner.view(8).counts == {"reps": 3}
    runner.on_frame_state(_state(9, reps=3))
    assert runner.phase == "done" and runner.results[-1].counts == {"reps": 5}


def test_a_runner_needs_the_specs_of_its_exercises():
    with pytest.raises(ValueError, match="not loaded: bridge"):
        RoutineRunner(_routine({"exercise": "bridge", "reps": 3}), {k: v for k, v in SPECS.items() if k != "bridge"})


def test_following_the_live_page_says_when_to_switch_exercise():
    runner = RoutineRunner(_routine({"exercise": "bridge", "reps": 2, "rest_s": 30},
                                    {"exercise": "superman", "reps": 2, "rest_s": 0}), SPECS)
    assert not follow_live_state(runner, _state(1, reps=1), "bridge", now=100.0)
    assert follow_live_state(runner, _state(2, reps=2), "bridge", now=101.0)  # done: set up for superman now
    assert runner.phase == "rest" and runner.view(101.0).rest_remaining_s == 30.0
    # The page switched; no frame yet from the new analyzer: the rest still counts down on the clock.
    assert not follow_live_state(runner, None, "superman", now=131.0)
    assert runner.phase == "exercise"
    follow_live_state(runner, _state(5, reps=2), "superman", now=140.0)
    assert runner.phase == "done" and not follow_live_state(runner, None, "superman", now=141.0)


def _away(t: float, reps: int) -> FrameState:
    return FrameState(timestamp_s=t, has_pose=False, phase="no_person", calibrated=True, reps=reps)


def test_leaving_the_picture_pauses_a_set_and_staying_away_ends_it():
    runner = RoutineRunner(_routine({"exercise": "bridge", "sets": 2, "reps": 10, "rest_s": 20}), SPECS)
    runner.on_frame_state(_away(1.0, 0), exercise="bridge")
    runner.on_frame_state(_away(9.0, 0), exercise="bridge")  # not there yet: nothing done, nothing to end
    assert runner.phase == "exercise"
    runner.on_frame_state(_state(10.0, 4), exercise="bridge")
    runner.on_frame_state(_away(11.0, 4), exercise="bridge")
    runner.on_frame_state(_away(14.0, 4), exercise="bridge")  # a short absence only pauses the set
    runner.on_frame_state(_state(15.0, 5), exercise="bridge")
    runner.on_frame_state(_away(16.0, 5), exercise="bridge")
    assert runner.phase == "exercise"
    runner.on_frame_state(_away(16.0 + AWAY_ENDS_SET_S, 5), exercise="bridge")
    assert runner.phase == "rest"
    assert [(r.counts, r.met, r.ended_by) for r in runner.results] == [({"reps": 5}, False, "away")]


def test_a_routine_announces_itself_its_sets_its_rests_and_its_end():
    runner = RoutineRunner(_routine({"exercise": "bridge", "sets": 2, "reps": 2, "hold_s": 3, "rest_s": 15},
                                    {"exercise": "butt_walk", "sets": 1, "reps": "8-10", "rest_s": 0}), SPECS)
    runner.on_frame_state(_state(1.0, 0), exercise="bridge")
    assert runner.take_announcements() == ["Test routine. First: Shoulder bridge, 2 times, holding 3 seconds."]
    runner.on_frame_state(_state(5.0, 2), exercise="bridge")
    assert runner.take_announcements() == ["Set over: 2 done.", "Rest 15 seconds."]
    for t in (6.0, 10.5, 17.2, 18.1, 19.0):
        runner.tick(t)
    assert runner.take_announcements() == ["ten seconds", "3", "2", "1"]
    runner.tick(20.0)
    assert runner.take_announcements() == ["Set 2 of 2: go."]
    runner.on_frame_state(_state(25.0, 4), exercise="bridge")
    assert runner.take_announcements() == ["Set over: 2 done.", "Next: Butt walks, 8 to 10 each way, side-on to the camera.",
                                           "Rest 15 seconds."]
    runner.tick(40.0)
    assert runner.take_announcements() == ["Butt walks: get into the start position."]
    runner.on_frame_state(_state(41.0, forward=10, backward=10), exercise="butt_walk")
    assert runner.take_announcements() == ["Set over: 10 forward, 10 back.", "Routine finished. Well done."]
    assert runner.take_announcements() == []
