"""End to end in headless Chromium: the live page fed by a fake camera playing a rendered sample clip,
and the upload page. These also measure the live frame rate and the delay from a movement to its
cue (printed; run with -s to see them, or set FORMCHECK_E2E_METRICS to a file to keep them)."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path

import pytest

from formcheck.specs import ExcursionMotion, find_spec
from formcheck.ui.live_page import count_label
from formcheck.ui.samples import SampleClip, list_samples

from fake_camera import write_fake_camera_y4m

pytestmark = pytest.mark.slow

WEBRTC_IFRAME = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
LEAD_S, TAIL_S = 8.0, 8.0  # still frames before and after the clip in the fake camera's file
STABLE_S = 2.0  # the final count must hold this long before STOP (well inside the still tail)

# Runs in every frame before the page's own scripts. In the WebRTC component's iframe it notes when
# the camera was granted (the fake camera starts playing its file then); in the top page it records,
# every 20 ms, the time each metric's shown value changes.
RECORDER_JS = r"""
(() => {
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      window.__fcCameraStart = Date.now();
      return stream;
    };
  }
  // The app's sound cues are WebAudio snippets in their own small iframes, each naming its kind.
  const Audio = window.AudioContext;
  if (Audio) {
    window.AudioContext = function (...args) {
      const kind = (document.documentElement.innerHTML.match(/formcheck cue (\w+)/) || [])[1] || "?";
      (window.top.__fcTones = window.top.__fcTones || []).push([Date.now(), kind]);
      return new Audio(...args);
    };
  }
  if (window !== window.top) return;
  window.__fcMetricLog = [];
  const last = {};
  setInterval(() => {
    for (const metric of document.querySelectorAll('[data-testid="stMetric"]')) {
      const label = metric.querySelector('[data-testid="stMetricLabel"]');
      const value = metric.querySelector('[data-testid="stMetricValue"]');
      if (!label || !value) continue;
      const key = label.innerText.trim(), text = value.innerText.trim();
      if (last[key] !== text) { last[key] = text; window.__fcMetricLog.push([Date.now(), key, text]); }
    }
  }, 20);
})();
"""


# Clips whose counts the engine is validated on (tests/test_accuracy.py), shortest first: the live
# test plays the clip in real time, and its last frame is held still, so it must end at rest.
PREFERRED_CLIPS = ("bridge_clean", "prone_press_up_clean")


def live_test_clip() -> SampleClip:
    """A clean clip of a repetitions exercise: a preferred one if present, else the shortest."""
    clips = [c for c in list_samples() if c.clean and c.expected_reps and _counts_excursions(c.exercise)]
    if not clips:
        pytest.fail("sample_videos/ holds no clean clip with a sidecar; the browser tests need one")
    by_name = {c.name: c for c in clips}
    preferred = [by_name[name] for name in PREFERRED_CLIPS if name in by_name]
    return preferred[0] if preferred else min(clips, key=lambda c: float(c.sidecar.get("duration_s") or 1e9))


def _counts_excursions(exercise: str) -> bool:
    try:
        return isinstance(find_spec(exercise).motion, ExcursionMotion)
    except Exception:  # a clip of an exercise without a (valid) spec cannot be checked here
        return False


def metric_log(page) -> list[tuple[float, str, str]]:
    return [(t / 1000.0, label, value) for t, label, value in page.evaluate("window.__fcMetricLog")]


def save_metrics(name: str, values: dict) -> None:
    print(f"\n{name}: " + json.dumps(values, indent=1))
    target = os.environ.get("FORMCHECK_E2E_METRICS")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps({"test": name, **values}) + "\n")


@pytest.fixture
def fake_camera(tmp_path):
    """The test clip as a y4m for Chromium's fake camera; deleted afterwards (raw video of
    a 40 s clip is ~350 MB, and pytest keeps the last runs' temporary folders)."""
    clip = live_test_clip()
    camera = write_fake_camera_y4m(clip.path, tmp_path / "camera.y4m", LEAD_S, TAIL_S)
    yield clip, camera
    camera.path.unlink(missing_ok=True)


def test_live_camera_counts_the_clips_repetitions(app_server, launch_chromium, fake_camera):
    clip, camera = fake_camera
    spec = find_spec(clip.exercise)
    label = count_label(spec)  # the metric the page shows the count under
    expected = clip.expected_reps
    browser = launch_chromium("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                              f"--use-file-for-fake-video-capture={camera.path}")
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.add_init_script(RECORDER_JS)
    page.goto(f"{app_server.url}/?page=live&exercise={clip.exercise}")
    webrtc = page.frame_locator(WEBRTC_IFRAME)
    webrtc.get_by_role("button", name="START").click(timeout=90_000)

    # Watch the count while the clip plays: it must climb to the clip's count and never past it.
    deadline = time.monotonic() + camera.duration_s + 30
    reached_at = None
    while time.monotonic() < deadline:
        shown = [v for _, k, v in metric_log(page) if k == label]
        count = int(shown[-1].split()[0]) if shown else 0
        assert count <= expected, f"counted {count} {label.lower()} in a clip of {expected}"
        if count == expected:
            reached_at = reached_at or time.monotonic()
            if time.monotonic() - reached_at >= STABLE_S:
                break
        else:
            reached_at = None
        time.sleep(0.2)
    log = metric_log(page)
    counts = [(t, int(v.split()[0])) for t, k, v in log if k == label]
    assert counts and counts[-1][1] == expected, f"live count never reached {expected}: {counts}"
    fps_shown = [float(v) for _, k, v in log if k.startswith("Frames analysed") and v != "-"]
    tones = [kind for _, kind in page.evaluate("window.__fcTones || []")]
    assert tones == ["count"] * expected, f"expected one chime per counted repetition, heard {tones}"

    webrtc.get_by_role("button", name="STOP").click()
    page.get_by_text("Your session").wait_for(timeout=30_000)
    report_count = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    assert report_count.locator('[data-testid="stMetricValue"]').inner_text().split()[0] == str(expected)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report (JSON)").click()
    report = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert report["exercise"] == clip.exercise and report["reps"] == expected
    assert report["source"] == "live camera"

    # Delay from the movement to its cue. Chromium's fake camera plays its file in real time from the
    # moment the camera is granted, so the clip's ground-truth end of repetition i happens at
    # camera_start + lead + end_s(i) (same clock as the server: one machine) -- as long as the
    # browser's capture never pauses. On a loaded machine it can (it then resumes where it stopped,
    # so the rest of the clip plays later), which a real camera never does; the server logs every gap
    # in the frames it analyses, and a gap in which no frame came at all is such a pause, so it moves
    # the following movements later.
    camera_start = page.frame_locator(WEBRTC_IFRAME).locator("body").evaluate("() => window.__fcCameraStart") / 1000
    truth = [e for e in clip.sidecar["events"] if e["kind"] in ("rep", "hold")]
    server = [json.loads(line) for line in app_server.live_log.read_text().splitlines()]
    session_log = server[max(i for i, e in enumerate(server) if e["kind"] == "first_frame"):]
    first_wall = session_log[0]["received_wall"]  # when the session's first frame arrived
    counted = [e for e in session_log if e["kind"] in ("rep", "hold")]
    stalls = [e for e in session_log if e["kind"] == "stall"]
    pauses = [s for s in stalls if s["frames_skipped"] == 0]
    frame_s = float(1 / camera.fps)

    def paused_before(i: int, gap: str) -> float:
        return sum(s[gap] - frame_s for s in pauses if s["received_wall"] <= counted[i]["received_wall"])

    moved = [camera_start + camera.clip_time_to_file_time(truth[i]["end_s"]) + paused_before(i, "wall_gap_s")
             for i in range(expected)]
    first_shown = {}
    for t, n in counts:
        first_shown.setdefault(n, t)
    page_delays = [first_shown[i + 1] - moved[i] for i in range(expected)]
    overlay_delays = [counted[i]["done_wall"] - moved[i] for i in range(expected)]
    server_fps = [e["fps"] for e in counted if e["fps"]]
    save_metrics("live", {
        "clip": clip.name, "reps": expected, "clip_fps": float(camera.fps),
        "fps_shown_on_page": fps_shown[-10:], "fps_at_counted_events": server_fps,
        "callback_s_at_counted_events": [round(e["done_wall"] - e["received_wall"], 3) for e in counted],
        "movement_to_overlay_cue_s": [round(d, 3) for d in overlay_delays],
        "movement_to_page_count_s": [round(d, 3) for d in page_delays],
        "first_frame_after_camera_start_s": round(first_wall - camera_start, 3),
        "camera_stalls": [{k: s[k] for k in ("wall_gap_s", "stream_gap_s", "frames_skipped")} for s in stalls],
    })
    # Counting is live: the server counts each repetition on the frames just after it ends (on the
    # stream's own clock, which no pause of the fake camera can shift between repetitions: it is
    # aligned on the first frame, and pauses are taken out), and the page shows each count soon after.
    assert len(counted) == expected, counted
    lag = [counted[i]["frame_time_s"] - paused_before(i, "stream_gap_s") - (truth[i]["end_s"] - truth[0]["end_s"])
           for i in range(expected)]
    assert max(lag) - min(lag) < 2.0, (lag, stalls)
    # Frames are analysed soon after they were captured: the stream's clock (capture time) and the
    # wall clock at arrival move together, whatever paused before (a queue would pull them apart).
    behind = [(e["received_wall"] - first_wall) - e["frame_time_s"] for e in counted]
    assert max(behind) < 3.0, behind
    page_after_server = [first_shown[i + 1] - counted[i]["done_wall"] for i in range(expected)]
    assert all(-0.5 < d < 3.0 for d in page_after_server), page_after_server
    # With an unpaused camera (an idle machine), the whole delay from movement to count on the page.
    if first_wall - camera_start < LEAD_S and not pauses:
        assert all(-0.5 < d < 5.0 for d in page_delays), (page_delays, counts, fps_shown)
    assert fps_shown and max(fps_shown) >= 3.0, fps_shown


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
