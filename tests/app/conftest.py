"""Fixtures for the app's browser tests: the app served by `streamlit run`, and Debian's Chromium
driven by Playwright (Playwright's own browser download cannot work offline)."""

from __future__ import annotations

import shutil
from typing import Iterator

import pytest

from app_server import AppServer, serve_app

CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # Chromium throttles timers of pages it thinks are hidden; headless ones must run at full speed.
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
]


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium")
    if path is None:
        # Fail, not skip: CI installs it (.ci/run), and a skipped browser test proves nothing.
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium); the browser tests need it")
    return path


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with serve_app(tmp_path_factory.mktemp("app-server")) as server:
        yield server


@pytest.fixture
def launch_chromium(chromium_executable: str):
    """Starts Chromium with extra flags (e.g. a fake camera); closes whatever it started."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browsers = []

        def launch(*extra_flags: str):
            browser = playwright.chromium.launch(executable_path=chromium_executable,
                                                 args=CHROMIUM_FLAGS + list(extra_flags))
            browsers.append(browser)
            return browser

        yield launch
        for browser in browsers:
            browser.close()
