"""A routine on the live page from START to its end without another click: the camera shows one
press-up, the person leaves the picture (which ends the set), the rest is counted down, the next
exercise is announced and counted, and the routine says it is finished."""

from __future__ import annotations

import time

import pytest

from formcheck.ui.coach import SAFETY_TEXT

from app_server import serve_app
from fake_camera import ClipPart, write_camera_sequence
from live_latency import load_average, save_metrics
from live_session import CAMERA_START_JS, WEBRTC_IFRAME, fake_camera_browser, sample
from recorders import PAGE_JS, SPEECH_JS, spoken

pytestmark = pytest.mark.slow
FINISHED = "Routine finished. Well done."

ROUTINE = """
id: hands_free_check
title: Hands-free check
summary: A press-up set ended by leaving the picture, then bridges.
source: tests
steps:
  - exercise: prone_press_up
    reps: 5
    hold_s: 3
    rest_s: 4
  - exercise: bridge
    reps: 2
"""


@pytest.fixture(scope="module")
def routine_server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("routine-server")
    routines = workdir / "routines"
    routines.mkdir()
    (routines / "hands_free_check.yaml").write_text(ROUTINE, encoding="utf-8")
    with serve_app(workdir, FORMCHECK_ROUTINES_DIR=str(routines)) as server:
        yield server


def test_a_routine_runs_from_its_first_exercise_to_its_last_without_a_click_after_start(
        routine_server, launch_chromium, tmp_path):
    # One press-up (of a set of five), nobody in the picture for 9 s, then two bridges.
    camera = write_camera_sequence([ClipPart(sample("prone_press_up_short_hold").path, 0.0, 11.6),
                                    ClipPart(None, seconds=9.0),
                                    ClipPart(sample("bridge_over_arch").path, 0.0, 15.5)],
                                   tmp_path / "camera.y4m", lead_s=10.0, tail_s=10.0)
    try:
        page = fake_camera_browser(launch_chromium, camera).new_page(viewport={"width": 1400, "height": 1000})
        for script in (CAMERA_START_JS, SPEECH_JS, PAGE_JS):
            page.add_init_script(script)
        page.goto(f"{routine_server.url}/?page=live&exercise=prone_press_up")
        page.locator('[data-testid="stSelectbox"]').filter(has_text="Routine").click(timeout=90_000)
        page.get_by_role("option", name="Hands-free check").click()
        page.get_by_text("Exercise 1 of 2").wait_for(timeout=60_000)
        page.frame_locator(WEBRTC_IFRAME).get_by_role("button", name="START").click(timeout=90_000)
        started = time.monotonic()
        finished = page.get_by_text("Routine finished")
        deadline = started + camera.duration_s + 60
        while time.monotonic() < deadline and not finished.count():
            time.sleep(0.5)
        # The end is said after whatever was being said when it came (a count, most likely).
        wait_end = time.monotonic() + 8
        while time.monotonic() < wait_end and FINISHED not in [text for _, text in spoken(page)]:
            time.sleep(0.2)
        texts = [text for _, text in spoken(page)]
        save_metrics("live_routine", {"load": load_average(), "spoken": texts,
                                      "seconds": round(time.monotonic() - started, 1)})
        assert finished.count(), f"the routine did not finish; it said: {texts}"
    finally:
        camera.path.unlink(missing_ok=True)

    def at(wanted, after: int = -1) -> int:
        return next((i for i, text in enumerate(texts) if i > after and wanted(text)), -1)

    safety = at(lambda t: t == SAFETY_TEXT)
    first = at(lambda t: t.startswith("Hands-free check. First: Prone press-up"))
    count = at(lambda t: t.endswith("one"), first)
    ended = at(lambda t: t == "Set over: 1 done.", count)
    nxt = at(lambda t: t.startswith("Next: Shoulder bridge"), ended)
    rest = at(lambda t: t == "Rest 4 seconds.", nxt)
    go = at(lambda t: t == "Shoulder bridge: get into the start position.", rest)
    bridges = at(lambda t: t.endswith("two"), go)
    done = at(lambda t: t == FINISHED, bridges)
    assert -1 < safety < first < count < ended < nxt < rest < go < bridges < done, texts
    assert any(t in ("3", "2", "1") for t in texts[rest:go]), texts  # the rest counted down aloud
