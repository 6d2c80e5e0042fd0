"""What the live page says, decided from the engine's states (no browser: the player is exercised by
test_browser.py), and the push channel that carries it to the page."""

from __future__ import annotations

import asyncio
import threading

import pytest

from formcheck.engine import FrameState
from formcheck.engine.state import ActiveFault
from formcheck.specs import find_spec
from formcheck.ui.coach import COUNT, FAULT, SAFETY, SETUP, Coach, number_word, safety_utterance
from formcheck.ui.live_channel import LiveChannel, channel_url, live_routes


def state(t: float, phase: str = "rest", **fields) -> FrameState:
    return FrameState(timestamp_s=t, has_pose=True, phase=phase, calibrated=fields.pop("calibrated", True),
                      **fields)


def said(coach: Coach, *states: FrameState) -> list[tuple[str, int]]:
    return [(u.text, u.priority) for s in states for u in coach.update(s)]


def test_counts_are_said_as_words_once_each():
    coach = Coach(find_spec("bridge"))
    assert said(coach, state(0.0), state(0.1, reps=1), state(0.2, reps=1), state(0.3, reps=3)) == [
        ("one", COUNT), ("three", COUNT)]  # two counted at once (a replay): only the newest is said
    assert number_word(20) == "twenty" and number_word(21) == "21"


def test_per_side_counts_name_the_side_and_steps_their_number():
    coach = Coach(find_spec("knee_to_chest"))
    assert said(coach, state(0.0), state(1.0, reps=1, reps_by_side={"left": 1, "right": 0})) == [("left one", COUNT)]
    coach = Coach(find_spec("butt_walk"))
    assert said(coach, state(0.0), state(1.0, steps_forward=1), state(2.0, steps_forward=1, steps_backward=1)) == [
        ("one", COUNT), ("one", COUNT)]


def test_a_hold_is_counted_down_and_released_and_its_count_follows():
    coach = Coach(find_spec("prone_press_up"))
    hold = dict(hold_target_s=10.0)
    states = [state(0.0, "rising", **hold)]
    states += [state(1.0 + i, "top", hold_good_s=float(i) + 0.1, **hold) for i in range(11)]
    states += [state(12.5, "lowering", hold_good_s=10.0, **hold), state(14.0, "rest", reps=1, **hold)]
    assert [text for text, _ in said(coach, *states)] == ["hold", "five", "four", "three", "two", "one",
                                                          "and relax", "one"]


def test_a_countdown_stopped_by_a_fault_says_the_fault_once_and_goes_on_from_where_it_is():
    coach = Coach(find_spec("prone_press_up"))
    fault = ActiveFault("knees_bent", "keep your knees straight")
    hold = dict(hold_target_s=10.0, phase="top")
    texts = said(coach, state(0.0, hold_good_s=0.5, **hold),
                 state(1.0, hold_good_s=6.5, **hold),
                 state(2.0, hold_good_s=6.5, active_faults=(fault,), **hold),
                 state(3.0, hold_good_s=6.5, active_faults=(fault,), **hold),
                 state(4.0, hold_good_s=6.5, **hold),
                 state(5.0, hold_good_s=6.5, active_faults=(fault,), **hold),  # again within 8 s: not said
                 state(6.0, hold_good_s=8.5, **hold))
    assert texts == [("hold", COUNT), ("four", COUNT), ("keep your knees straight", FAULT), ("two", COUNT)]


def test_set_up_guidance_is_said_once_it_has_lasted_and_again_while_it_lasts():
    coach = Coach(find_spec("bridge"))
    view = dict(phase="adjust_view", message="turn side-on to the camera", guidance="turn side-on to the camera")
    texts = said(coach, state(0.0, **view), state(0.3, **view), state(0.7, **view), state(5.0, **view),
                 state(13.0, **view), state(14.0, message="hold still in the start position", phase="calibrating",
                                                calibrated=False),
                 state(14.7, message="hold still in the start position", phase="calibrating", calibrated=False))
    assert texts == [("turn side-on to the camera", SETUP), ("turn side-on to the camera", SETUP),
                     ("hold still in the start position", SETUP)]


def test_paced_holds_say_the_pacing_cue():
    coach = Coach(find_spec("pelvic_tilt"))
    pacing = find_spec("pelvic_tilt").motion.pacing
    hold = dict(hold_target_s=5.0)
    texts = said(coach, state(0.0, "rest", message=f"{pacing.relax_cue} (3 s)", **hold),
                 state(3.0, "top", message=f"{pacing.hold_cue} (5 s)", **hold),
                 state(8.0, "rest", reps=1, message=f"{pacing.relax_cue} (5 s)", **hold))
    assert texts == [(pacing.hold_cue, COUNT), ("one", COUNT)]


def test_the_safety_note_comes_first():
    assert safety_utterance().priority == SAFETY < SETUP < FAULT < COUNT


def test_the_channel_delivers_across_threads_and_replays_the_newest_board():
    channel = LiveChannel()
    channel.publish({"type": "board", "count": 1})

    async def listen() -> list[dict]:
        subscription = channel.subscribe()
        worker = threading.Thread(target=lambda: [channel.publish({"type": "say", "text": "two"}),
                                                  channel.publish({"type": "board", "count": 2})])
        worker.start()
        got = [await subscription.next(2.0) for _ in range(3)]
        worker.join()
        subscription.close()
        return got

    assert asyncio.run(listen()) == [{"type": "board", "count": 1}, {"type": "say", "text": "two"},
                                     {"type": "board", "count": 2}]
    assert channel.subscribers == 0


def test_the_event_stream_serves_a_channel_by_its_token_only():
    class Request:  # what the route reads of starlette's request
        def __init__(self, token: str) -> None:
            self.path_params = {"token": token}

        async def is_disconnected(self) -> bool:
            return False

    [route] = live_routes()
    channel = LiveChannel()
    assert route.path.replace("{token}", channel.token) == channel_url(channel)
    channel.publish({"type": "board", "count": 3})

    async def first_chunks(token: str):
        response = await route.endpoint(Request(token))
        if response.status_code != 200:
            return response.status_code, []
        chunks = response.body_iterator
        got = [await chunks.__anext__(), await chunks.__anext__()]
        await chunks.aclose()
        return response.media_type, got

    assert asyncio.run(first_chunks("not-a-token")) == (404, [])
    assert asyncio.run(first_chunks(channel.token)) == (
        "text/event-stream", ["retry: 1000\n\n", 'data: {"type":"board","count":3}\n\n'])
