"""The live page's per-session processor, fed synthetic landmarks through a stand-in pose estimator
(fast and exact: the real model and a browser are exercised by test_browser.py)."""

from __future__ import annotations

import asyncio
import json
from fractions import Fraction

import av
import numpy as np
import pytest

from formcheck.landmarks import Landmarks
from formcheck.specs import find_spec
from formcheck.ui.coach import SAFETY_TEXT
from formcheck.ui.live_processor import LiveProcessor, _for_display, draw_set_progress, set_target

from synthetic import PRONE_CAM, frames, press_ups

WIDTH, HEIGHT, FPS = 640, 480, 15.0


class ScriptedEstimator:
    """Returns prepared landmarks in order, and checks what MediaPipe's VIDEO mode requires."""

    def __init__(self, landmarks: list[Landmarks | None]) -> None:
        self.landmarks = list(landmarks)
        self.times: list[float] = []
        self.closed = False

    def detect(self, image_rgb: np.ndarray, timestamp_s: float) -> Landmarks | None:
        assert image_rgb.shape == (HEIGHT, WIDTH, 3)
        if self.times:
            assert int(round(timestamp_s * 1000)) > int(round(self.times[-1] * 1000)), "ms must increase"
        self.times.append(timestamp_s)
        return self.landmarks.pop(0) if self.landmarks else None

    def close(self) -> None:
        self.closed = True


def press_up_frames(reps: int) -> list[tuple[float, Landmarks | None]]:
    pose, duration, _ = press_ups([1.0] * reps, up_s=[2.0] * reps)
    return list(frames(pose, duration, fps=FPS, cam=PRONE_CAM))


def marked_image() -> np.ndarray:
    """A grey picture with a red block in the bottom-left corner, away from anything drawn."""
    image = np.full((HEIGHT, WIDTH, 3), 90, np.uint8)
    image[-20:, :20] = (255, 0, 0)
    return image


def rtp_frame(pts: int) -> av.VideoFrame:
    """The marked picture as WebRTC hands it over: a frame on the 90 kHz RTP clock."""
    frame = av.VideoFrame.from_ndarray(marked_image(), format="rgb24")
    frame.pts, frame.time_base = pts, Fraction(1, 90_000)
    return frame


def run(processor: LiveProcessor, sequence, offset_s: float = 0.0) -> list[np.ndarray]:
    return [processor.process(marked_image(), offset_s + t) for t, _ in sequence]


@pytest.fixture
def spec():
    return find_spec("prone_press_up")


def test_a_session_counts_reps_raises_events_and_reports_on_stop(spec):
    sequence = press_up_frames(2)
    processor = LiveProcessor(spec, estimator_factory=lambda _: ScriptedEstimator([lm for _, lm in sequence]))
    processor.start()
    run(processor, sequence, offset_s=1234.5)  # stream clocks start anywhere; the session starts at 0
    live = processor.snapshot()
    assert live.active and live.frames == len(sequence) and live.frames_with_pose == len(sequence)
    assert live.state is not None and live.state.reps == 2
    assert [e.kind for e in live.events if e.kind == "rep"] == ["rep", "rep"]
    assert [e.seq for e in live.events] == list(range(1, len(live.events) + 1))
    assert all(e.done_wall >= e.received_wall for e in live.events)

    report = processor.stop()
    assert report is not None and report.reps == 2
    assert report.faults == []
    assert all(n.startswith("held 1.") and "of 10 s" in n for e in report.events for n in e.notes)  # 1 s holds
    assert report.events[0].start_s == pytest.approx(2.0, abs=1.0)  # session time, not stream time
    finished = processor.snapshot()
    assert not finished.active and finished.report == report
    assert len(finished.series) == len(sequence)
    assert processor.stop() is report  # stopping twice changes nothing


def test_frames_outside_a_session_are_passed_through_unanalysed(spec):
    estimator = ScriptedEstimator([])
    processor = LiveProcessor(spec, estimator_factory=lambda _: estimator)
    image = marked_image()
    assert np.array_equal(processor.process(image, 0.0), image)  # before START
    processor.start()
    processor.process(image, 0.1)
    processor.stop()
    processor.mirror = True
    late = processor.process(image, 0.2)  # a frame still in flight after STOP
    assert np.array_equal(late, image[:, ::-1])
    assert len(estimator.times) == 1 and processor.snapshot().frames == 1


def test_mirroring_flips_the_picture_but_not_the_analysis(spec):
    sequence = press_up_frames(1)
    results = {}
    for mirror in (False, True):
        processor = LiveProcessor(spec, estimator_factory=lambda _: ScriptedEstimator([lm for _, lm in sequence]))
        processor.mirror = mirror
        processor.start()
        shown = run(processor, sequence)
        results[mirror] = (processor.snapshot().state, shown[-1])
    plain_state, plain_image = results[False]
    mirrored_state, mirrored_image = results[True]
    assert mirrored_state == plain_state  # same counts, same side (left stays left), same signals
    assert plain_state.side == "left"
    assert tuple(plain_image[-5, 5]) == (255, 0, 0) and tuple(mirrored_image[-5, -5]) == (255, 0, 0)


def test_the_set_progress_is_drawn_top_right_and_sized_from_the_dosage(spec):
    knee_to_chest = find_spec("knee_to_chest")
    assert set_target(spec) == 10 and set_target(knee_to_chest) == 2 * knee_to_chest.dosage.reps
    assert set_target(find_spec("butt_walk")) is None
    image = np.full((HEIGHT, WIDTH, 3), 200, np.uint8)
    draw_set_progress(image, 5, 10)
    rows, cols = np.nonzero(np.any(image != 200, axis=-1))
    assert rows.min() == 0 and rows.max() < 60 and cols.max() == WIDTH - 1 and cols.min() > WIDTH - 200
    green = np.nonzero(np.all(image == (60, 200, 90), axis=-1))[1]
    inner = image[:, cols.min():].shape[1] - 2 * (green.min() - cols.min())  # bar length when full
    assert 0.4 < (green.max() - green.min() + 1) / inner < 0.6  # 5 of 10: half full


def test_mirrored_landmarks_keep_their_names():
    points = np.zeros((33, 4))
    points[11] = (100.0, 50.0, 0.0, 1.0)  # left shoulder
    landmarks = Landmarks(points, 0.0, WIDTH, HEIGHT)
    image, mirrored = _for_display(marked_image(), landmarks, mirror=True)
    assert mirrored is not None
    assert mirrored["left_shoulder"][0] == pytest.approx(WIDTH - 1 - 100.0)
    assert mirrored["left_shoulder"][1] == 50.0
    assert tuple(image[-5, -5]) == (255, 0, 0)


def test_a_new_session_starts_from_zero_and_the_estimator_clock_never_goes_back(spec):
    first, second = press_up_frames(1), press_up_frames(2)
    estimator = ScriptedEstimator([lm for _, lm in first + second])
    processor = LiveProcessor(spec, estimator_factory=lambda _: estimator)
    processor.start()
    run(processor, first, offset_s=50.0)
    assert processor.stop().reps == 1
    processor.start()  # the browser restarts its stream: timestamps begin again near zero
    run(processor, second, offset_s=0.0)
    live = processor.snapshot()
    assert live.session == 2 and live.state.reps == 2 and live.report is None
    assert processor.stop().reps == 2
    assert len(estimator.times) == len(first) + len(second)  # ScriptedEstimator checked the order


def test_changing_exercise_finishes_the_old_one_and_goes_on_with_the_new(spec):
    sequence = press_up_frames(2)
    processor = LiveProcessor(spec, estimator_factory=lambda _: ScriptedEstimator([lm for _, lm in sequence]))
    processor.start()
    # The first press-up and the start of the second (not yet at its top, so not counted).
    run(processor, sequence[:135])
    first_session = processor.snapshot().session
    processor.set_spec(find_spec("bridge"), hold_target_s=5.0)
    live = processor.snapshot()
    assert live.active and live.frames == 0 and processor.spec.id == "bridge"
    [(session, report)] = processor.take_switched()
    assert session == first_session and report.exercise == "prone_press_up" and report.reps == 1
    assert processor.take_switched() == []
    run(processor, sequence[135:145], offset_s=20.0)
    assert processor.snapshot().state.hold_target_s == 5.0  # a routine's hold, not the spec's


def test_changing_exercise_before_anyone_was_seen_leaves_no_report(spec):
    processor = LiveProcessor(spec, estimator_factory=lambda _: ScriptedEstimator([None] * 10))
    processor.start()
    run(processor, [(i / 15, None) for i in range(10)])
    processor.set_spec(find_spec("bridge"))
    assert processor.take_switched() == []


def test_the_webrtc_callback_keeps_frame_timing_and_survives_a_failing_estimator(spec):
    class Broken:
        def __init__(self, segmentation=False):
            pass

        def detect(self, image_rgb, timestamp_s):
            raise RuntimeError("model exploded\nsecond line")

        def close(self):
            pass

    processor = LiveProcessor(spec, estimator_factory=Broken)
    processor.start()
    frame = rtp_frame(90_000)
    out = processor.on_frame(frame)
    assert (out.pts, out.time_base) == (frame.pts, frame.time_base)
    assert np.array_equal(out.to_ndarray(format="rgb24")[-5, 5], (255, 0, 0))
    assert processor.snapshot().error == "model exploded"


def test_the_webrtc_callback_analyses_the_newest_of_the_queued_frames(spec):
    sequence = press_up_frames(1)[:3]
    estimator = ScriptedEstimator([lm for _, lm in sequence])
    processor = LiveProcessor(spec, estimator_factory=lambda _: estimator)
    processor.start()
    queued = [rtp_frame(i * 6000) for i in range(3)]
    [out] = asyncio.run(processor.on_frames(queued))
    assert out.pts == queued[-1].pts and len(estimator.times) == 1


def test_the_webrtc_callback_analyses_with_the_frame_time(spec):
    sequence = press_up_frames(1)[:20]
    estimator = ScriptedEstimator([lm for _, lm in sequence])
    processor = LiveProcessor(spec, estimator_factory=lambda _: estimator)
    processor.start()
    for i in range(len(sequence)):
        out = processor.on_frame(rtp_frame(3000 + i * 6000))  # 15 fps on the RTP clock
        assert out.width == WIDTH and out.height == HEIGHT
    live = processor.snapshot()
    assert live.error is None and live.frames == 20
    assert live.state.timestamp_s == pytest.approx(19 / 15, abs=1e-3)


def test_the_latency_log_tells_a_stalled_camera_from_late_frames(spec, tmp_path, monkeypatch):
    log = tmp_path / "live.jsonl"
    monkeypatch.setenv("FORMCHECK_LIVE_LOG", str(log))
    processor = LiveProcessor(spec, estimator_factory=lambda _: ScriptedEstimator([]))
    processor.start()
    # The camera pauses for 3 s (no frame comes), then the analysis is slow for 2 s (frames come and
    # all but the newest are skipped).
    for stream_t, wall, skipped in ((0.0, 100.0, 0), (0.1, 100.1, 0), (3.1, 103.1, 0), (3.2, 103.2, 0),
                                    (5.2, 105.2, 29)):
        processor.process(marked_image(), stream_t, received_wall=wall, skipped=skipped)
    logged = [json.loads(line) for line in log.read_text().splitlines()]
    first, *stalls = [e for e in logged if e["kind"] in ("first_frame", "stall")]
    assert first == {"kind": "first_frame", "received_wall": 100.0}
    assert [e["received_wall"] for e in logged if e["kind"] == "frame"] == [100.0, 100.1, 103.1, 103.2, 105.2]
    assert [(s["kind"], s["wall_gap_s"], s["stream_gap_s"], s["frames_skipped"]) for s in stalls] == [
        ("stall", 3.0, 3.0, 0), ("stall", 2.0, 2.0, 29)]


def test_each_analysed_frame_publishes_the_board_and_what_to_say_at_once(spec):
    sequence = press_up_frames(2)
    processor = LiveProcessor(spec, estimator_factory=lambda _: ScriptedEstimator([lm for _, lm in sequence]))
    published: list[dict] = []
    processor.channel.publish = published.append  # what the page's board would receive, in order
    processor.start()
    assert [m["text"] for m in published if m["type"] == "say"] == [SAFETY_TEXT]
    run(processor, sequence)
    boards = [m for m in published if m["type"] == "board"]
    assert len(boards) == len(sequence) + 1  # one at START, one per frame
    assert boards[-1]["count"] == 2 and boards[-1]["label"] == "Repetitions" and boards[-1]["active"]
    counts = [m for m in published if m["type"] == "say" and m["kind"] == "count"]
    assert [m["text"] for m in counts] == ["one", "two"]
    # Published with the frame that counted it, before the next frame's board.
    first = published.index(counts[0])
    assert published[first + 1]["type"] == "board" and published[first + 1]["count"] == 1
    assert all(m["frame_wall"] is not None and m["sent_wall"] >= m["frame_wall"] for m in counts)
    processor.stop()
    assert published[-1] == {"type": "board", "session": 1, "active": False, "label": "Repetitions",
                             "status": "Press START to begin."}


def test_frames_whose_resolution_drops_mid_session_are_analysed_at_the_sessions_size(spec):
    class SizeRecorder(ScriptedEstimator):
        def detect(self, image_rgb, timestamp_s):
            sizes.append(image_rgb.shape[:2])
            return super().detect(np.zeros((HEIGHT, WIDTH, 3), np.uint8), timestamp_s)

    sizes: list[tuple[int, int]] = []
    sequence = press_up_frames(1)
    processor = LiveProcessor(spec, estimator_factory=lambda _: SizeRecorder([lm for _, lm in sequence]))
    processor.start()
    for i, (t, _) in enumerate(sequence):
        # The browser sends 320x240 for a while, as Chrome does when the computer is busy.
        image = marked_image() if not 50 <= i < 150 else marked_image()[::2, ::2]
        shown = processor.process(image, t)
        assert shown.shape == (HEIGHT, WIDTH, 3)
    assert set(sizes) == {(HEIGHT, WIDTH)}
    assert processor.stop().reps == 1
