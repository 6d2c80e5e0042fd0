"""End to end in headless Chromium: the live page fed by a fake camera playing a rendered sample clip
(what it says, plays and shows, how quickly, and its report), and the upload page. The latencies
are printed (run with -s, or set FORMCHECK_E2E_METRICS to a file to keep them)."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest

from formcheck.specs import ExcursionMotion, find_spec
from formcheck.ui.coach import SAFETY_TEXT
from formcheck.ui.samples import SampleClip, list_samples

from live_latency import (drawn_latencies, load_average, page_count_latencies, percentiles, save_metrics,
                          shown_frames, spoken_latencies)
from live_session import WEBRTC_IFRAME, sample, start_live, stop_and_download_report, wait_for_clip_end
from recorders import PAGE_JS, SHOWN_FRAMES_JS, SPEECH_JS, spoken, tones

pytestmark = pytest.mark.slow

# Two press-ups with 10 s holds, the knees bending in the second: a set-up prompt, a hold counted
# down, a count, a fault cue and another count, in that order.
VOICE_CLIP = "prone_press_up_knees_bent"
# Butt walks with bent knees: twelve counted steps and a fault, for the tones.
TONES_CLIP = "butt_walk_knees_bent"
SET_UP = ("get into the start position", "hold still in the start position")
# Generous bounds on a loaded machine (the README gives the measured figures): what they catch is a
# page that learns of events by polling again (about 1 s) or a voice that waits behind a queue.
MEDIAN_LIMIT_S = 1.5


def live_test_clip() -> SampleClip:
    """A clean clip of a repetitions exercise (the upload test's clip)."""
    clips = [c for c in list_samples() if c.clean and c.expected_reps and _counts_excursions(c.exercise)]
    if not clips:
        pytest.fail("sample_videos/ holds no clean clip with a sidecar; the browser tests need one")
    by_name = {c.name: c for c in clips}
    return by_name.get("bridge_clean") or min(clips, key=lambda c: float(c.sidecar.get("duration_s") or 1e9))


def _counts_excursions(exercise: str) -> bool:
    try:
        return isinstance(find_spec(exercise).motion, ExcursionMotion)
    except Exception:  # a clip of an exercise without a (valid) spec cannot be checked here
        return False


def analysis_stops(run, log, within_s: float = 15.0) -> bool:
    """Whether the server stops analysing frames (a frame already in flight may still be analysed)."""
    deadline = time.monotonic() + within_s
    frames = -1
    while time.monotonic() < deadline:
        now = sum(e["kind"] == "frame" for e in run.server_log(log))
        if now == frames:
            return True
        frames = now
        time.sleep(1.5)
    return False


def first_index(texts: list[str], wanted, after: int = -1) -> int:
    return next((i for i, text in enumerate(texts) if i > after and wanted(text)), -1)


def test_the_live_page_says_the_set_up_the_hold_countdown_the_count_and_a_fault_cue_in_order_and_fast(
        app_server, launch_chromium, tmp_path):
    clip = sample(VOICE_CLIP)
    cue = next(rule.cue for rule in find_spec(clip.exercise).faults if rule.id == "knees_bent")
    run = start_live(app_server, launch_chromium, clip.path, clip.exercise, tmp_path,
                     init_scripts=(SPEECH_JS, PAGE_JS, SHOWN_FRAMES_JS))
    try:
        wait_for_clip_end(run, app_server.live_log)
        page, server = run.page, run.server_log(app_server.live_log)
        texts = [text for _, text in spoken(page)]
        shown = shown_frames(page)
        report = stop_and_download_report(run)
    finally:
        run.camera.path.unlink(missing_ok=True)
    expected = clip.expected_reps
    assert report["reps"] == expected and report["source"] == "live camera", report["reps"]

    # In order: the safety note at START, a set-up prompt, "hold" and its countdown, the first count,
    # the fault's cue as it starts, the second count.
    assert texts and texts[0] == SAFETY_TEXT, texts
    set_up = first_index(texts, lambda t: t in SET_UP)
    hold = first_index(texts, lambda t: t == "hold", set_up)
    countdown = first_index(texts, lambda t: t in ("five", "four", "three", "two"), hold)
    relax = first_index(texts, lambda t: t == "and relax", countdown)
    one = first_index(texts, lambda t: t.endswith("one") and "relax" not in t, relax)
    fault = first_index(texts, lambda t: t == cue, one)
    two = first_index(texts, lambda t: t.endswith("two"), fault)
    assert -1 < set_up < hold < countdown < relax < one < fault < two, texts
    assert not tones(page), "tones played while the voice was on"

    latencies = {"frame_to_speech_s": spoken_latencies(page, server),
                 "frame_to_any_cue_spoken_s": spoken_latencies(page, server, cues=("count", "hold", "fault")),
                 "frame_to_page_count_s": page_count_latencies(page, server, expected),
                 "frame_to_drawn_cue_s": drawn_latencies(shown, server, expected)}
    frames = [f for f in server if f["kind"] == "frame"]
    save_metrics("live_voice", {
        "clip": clip.name, "load": load_average(), "spoken": texts,
        "frames_per_s": round(len(frames) / max(1e-6, frames[-1]["t"] - frames[0]["t"]), 1),
        **{name: percentiles(values) for name, values in latencies.items()},
        "samples": {name: [round(x, 3) for x in values] for name, values in latencies.items()},
    })
    assert len(latencies["frame_to_page_count_s"]) == expected and len(latencies["frame_to_speech_s"]) == expected
    for name in ("frame_to_speech_s", "frame_to_page_count_s"):
        assert percentiles(latencies[name])["p50"] < MEDIAN_LIMIT_S, latencies


def test_with_speech_off_counts_chime_a_fault_buzzes_and_one_click_stops_for_pain(app_server, launch_chromium, tmp_path):
    clip = sample(TONES_CLIP)

    def choose_tones(page) -> None:
        page.get_by_role("radio", name="Tones").click(timeout=60_000)
        page.wait_for_timeout(1500)  # the page reruns with the board playing tones

    run = start_live(app_server, launch_chromium, clip.path, clip.exercise, tmp_path,
                     init_scripts=(SPEECH_JS, PAGE_JS), before_start=choose_tones)
    try:
        wait_for_clip_end(run, app_server.live_log)
        page, server = run.page, run.server_log(app_server.live_log)
        heard, texts = tones(page), spoken(page)
        # One click stops for pain: the camera goes off and the advice shows; the person can go on.
        page.get_by_role("button", name="Sharp pain? Stop here").click()
        page.get_by_text("Stopped. Rest in a position that eases the pain.").wait_for(timeout=60_000)
        assert analysis_stops(run, app_server.live_log), "frames still analysed after the pain stop"
        page.get_by_role("button", name="I am fine: back to the live page").click()
        page.frame_locator(WEBRTC_IFRAME).get_by_role("button", name="START").wait_for(timeout=60_000)
    finally:
        run.camera.path.unlink(missing_ok=True)
    assert texts == [], f"the voice spoke with tones chosen: {texts}"
    sent = [s for s in server if s["kind"] == "say"]
    chimes = [t for t, f in heard if f == 660]
    buzzes = [t for t, f in heard if f == 220][::2]  # two notes make one buzz
    assert len(chimes) == sum(s["tone"] == "count" for s in sent) > 0, (heard, sent)
    assert len(buzzes) == sum(s["tone"] == "fault" for s in sent) > 0, (heard, sent)
    assert max(s["count"] for s in server if s["kind"] == "frame") > 0


def test_without_an_installed_voice_the_board_says_so(app_server, launch_chromium):
    # Headless Chromium on Linux has no speech voices, like a desktop without any installed: the
    # board says tones stand in for the voice (the tones themselves are the test above).
    page = launch_chromium().new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_server.url}/?page=live&exercise=bridge")
    note = page.frame_locator('iframe[srcdoc*="fc-board"]').locator("#fc-voice")
    note.wait_for(timeout=90_000)
    deadline = time.monotonic() + 30
    while not note.inner_text().startswith(("Voice:", "This browser has no voice")) and time.monotonic() < deadline:
        time.sleep(0.2)
    voices = page.evaluate("() => window.speechSynthesis ? speechSynthesis.getVoices().length : 0")
    text = note.inner_text()
    save_metrics("voices_in_headless_chromium", {"voices": voices, "note": text})
    assert text.startswith("Voice:") if voices else "no voice installed for English: tones instead" in text, text


def test_an_uploaded_video_shows_the_table_the_plot_and_both_downloads(app_server, launch_chromium):
    clip = live_test_clip()
    page = launch_chromium().new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{app_server.url}/?page=video&source=upload&exercise={clip.exercise}")
    uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
    uploader.set_input_files(str(clip.path))
    started = time.monotonic()
    page.get_by_role("button", name="Download the events (CSV)").wait_for(timeout=240_000)
    analysis_s = time.monotonic() - started

    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    table = page.locator('[data-testid="stDataFrame"]')
    assert table.count() == 1
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    assert charts.count() == 2
    for i in range(2):  # drawn, not just placed: vega renders into a canvas or an svg of real size
        charts.nth(i).scroll_into_view_if_needed()
        drawing = charts.nth(i).locator("canvas, svg").first
        drawing.wait_for(timeout=30_000)
        assert drawing.bounding_box()["height"] > 80
    # The annotated video is H.264 that Chromium can play: its length is known once metadata loads.
    video = page.locator("video").first
    video.scroll_into_view_if_needed()
    duration = video.evaluate(
        "v => new Promise(r => v.readyState >= 1 ? r(v.duration) : v.addEventListener('loadedmetadata', () => r(v.duration)))")
    assert duration == pytest.approx(float(clip.sidecar["duration_s"]), abs=0.5)

    with page.expect_download() as json_download:
        page.get_by_role("button", name="Download the report (JSON)").click()
    report = json.loads(Path(json_download.value.path()).read_text(encoding="utf-8"))
    with page.expect_download() as csv_download:
        page.get_by_role("button", name="Download the events (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text(encoding="utf-8"))))

    assert json_download.value.suggested_filename.endswith(".json")
    assert csv_download.value.suggested_filename.endswith(".csv")
    assert report["exercise"] == clip.exercise and report["reps"] == clip.expected_reps
    assert len(rows) == len(report["events"]) and rows[0].keys() >= {"kind", "index", "start_s", "end_s", "faults"}
    assert [r["kind"] for r in rows] == [e["kind"] for e in report["events"]]
    shown = page.locator('[data-testid="stMetric"]').filter(has_text="Repetitions").first
    assert shown.locator('[data-testid="stMetricValue"]').inner_text() == str(report["reps"])
    save_metrics("upload", {"clip": clip.name, "analysis_s": round(analysis_s, 1)})
