"""One clip through the live page in headless Chromium: Chromium's fake camera plays the clip (with
still frames before and after it), the page analyses it over WebRTC, and STOP gives the session's
report. Shared by the live browser tests."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from fake_camera import FakeCameraClip, write_fake_camera_y4m

from formcheck.ui.samples import SampleClip, list_samples

WEBRTC_IFRAME = 'iframe[title="streamlit_webrtc.component.webrtc_streamer"]'
LEAD_S, TAIL_S = 8.0, 8.0  # still frames before and after the clip in the fake camera's file
AFTER_CLIP_S = 2.5  # how long the still tail plays before STOP (well inside it: the file loops at its end)

# Runs in every frame before the page's own scripts: in the WebRTC component's iframe it notes when
# the camera was granted (the fake camera starts playing its file then).
CAMERA_START_JS = r"""
(() => {
  if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
    navigator.mediaDevices.getUserMedia = async (constraints) => {
      const stream = await original(constraints);
      window.__fcCameraStart = Date.now();
      return stream;
    };
  }
})();
"""


@dataclass
class LiveRun:
    page: object  # playwright Page, still open
    camera: FakeCameraClip
    camera_start: float  # time.time() when the camera was granted
    log_from: int  # line of the server's live log where this run begins

    def server_log(self, log_path: Path) -> list[dict]:
        lines = log_path.read_text(encoding="utf-8").splitlines()[self.log_from:] if log_path.exists() else []
        return [json.loads(line) for line in lines]


def sample(name: str) -> SampleClip:
    """A sample clip by name; the live tests fail, saying which, where it is missing."""
    clip = next((c for c in list_samples() if c.name == name), None)
    if clip is None:
        pytest.fail(f"sample_videos/{name}.mp4 is missing; the live browser tests need it")
    return clip


def fake_camera_browser(launch_chromium, camera: FakeCameraClip):
    return launch_chromium("--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                           f"--use-file-for-fake-video-capture={camera.path}")


def start_live(app_server, launch_chromium, source: Path, exercise: str, workdir: Path, *,
               init_scripts: tuple[str, ...] = (), query: str = "", before_start=None,
               lead_s: float = LEAD_S, tail_s: float = TAIL_S) -> LiveRun:
    """Opens the live page for `exercise` with `source` as the camera and presses START."""
    camera = write_fake_camera_y4m(source, workdir / "camera.y4m", lead_s, tail_s)
    browser = fake_camera_browser(launch_chromium, camera)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    for script in (CAMERA_START_JS, *init_scripts):
        page.add_init_script(script)
    page.goto(f"{app_server.url}/?page=live&exercise={exercise}{query}")
    if before_start is not None:
        before_start(page)
    log_from = len(app_server.live_log.read_text().splitlines()) if app_server.live_log.exists() else 0
    webrtc = page.frame_locator(WEBRTC_IFRAME)
    webrtc.get_by_role("button", name="START").click(timeout=90_000)
    deadline = time.monotonic() + 60
    camera_start = None
    while camera_start is None and time.monotonic() < deadline:
        camera_start = webrtc.locator("body").evaluate("() => window.__fcCameraStart || null")
        time.sleep(0.1)
    assert camera_start is not None, "the page never asked for the camera"
    return LiveRun(page, camera, camera_start / 1000.0, log_from)


def camera_pauses_s(run: LiveRun, log_path: Path) -> float:
    """Time the fake camera stood still (no frame came at all): its file plays on later by as much."""
    frame_s = float(1 / run.camera.fps)
    return sum(s["wall_gap_s"] - frame_s for s in run.server_log(log_path)
               if s["kind"] == "stall" and s["frames_skipped"] == 0)


def wait_for_clip_end(run: LiveRun, log_path: Path, after_s: float = AFTER_CLIP_S, limit_s: float = 120) -> None:
    """Until the clip has played and `after_s` of the still tail with it (pauses of the camera added)."""
    clip_end = run.camera.clip_time_to_file_time(run.camera.clip_frames / run.camera.fps) + after_s
    deadline = time.monotonic() + clip_end + limit_s
    while time.monotonic() < deadline:
        if time.time() - run.camera_start - camera_pauses_s(run, log_path) >= clip_end:
            return
        time.sleep(0.25)
    raise AssertionError("the clip did not finish playing in time")


def stop_and_download_report(run: LiveRun) -> dict:
    page = run.page
    page.frame_locator(WEBRTC_IFRAME).get_by_role("button", name="STOP").click()
    page.get_by_text("Your session").wait_for(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the report (JSON)").click()
    return json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
