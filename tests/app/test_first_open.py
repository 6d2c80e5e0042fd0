"""The app opens on an analysed sample: analysed once (a cold start), then, after a restart, read
from the disk cache (a warm start) in a few seconds."""

from __future__ import annotations

import time

import pytest

from formcheck.ui.catalog import load_catalog
from formcheck.ui.samples import default_sample, list_samples

from app_server import serve_app
from live_latency import load_average, save_metrics

pytestmark = pytest.mark.slow

WARM_LIMIT_S = 10.0  # measured about 1-2 s (README); the margin covers a loaded machine


def open_first_page(server, launch_chromium) -> float:
    """Seconds from asking for the app to its first page showing the analysed sample."""
    page = launch_chromium().new_page(viewport={"width": 1400, "height": 1000})
    started = time.monotonic()
    page.goto(server.url)
    page.locator('[data-testid="stMetric"]').filter(has_text="Repetitions").first.wait_for(timeout=600_000)
    seconds = time.monotonic() - started
    page.close()
    return seconds


def test_a_warm_start_opens_on_the_analysed_sample_at_once(tmp_path, launch_chromium):
    if default_sample(list_samples(), load_catalog().specs) is None:
        pytest.fail("sample_videos/ holds no clip of an exercise with a spec; the first page needs one")
    cache = tmp_path / "cache"
    (tmp_path / "cold").mkdir()
    started = time.monotonic()
    with serve_app(tmp_path / "cold", FORMCHECK_CACHE_DIR=str(cache)) as server:
        cold_up = time.monotonic() - started
        cold = open_first_page(server, launch_chromium)
    (tmp_path / "warm").mkdir()
    started = time.monotonic()
    with serve_app(tmp_path / "warm", FORMCHECK_CACHE_DIR=str(cache)) as server:
        warm_up = time.monotonic() - started
        warm = open_first_page(server, launch_chromium)
    save_metrics("first_open", {"load": load_average(), "cold_server_start_s": round(cold_up, 1),
                                "cold_page_s": round(cold, 1), "warm_server_start_s": round(warm_up, 1),
                                "warm_page_s": round(warm, 2)})
    assert warm < WARM_LIMIT_S < cold
