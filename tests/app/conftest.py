"""Fixtures for the app's browser tests: the app served by `streamlit run`, and Debian's Chromium
driven by Playwright (Playwright's own browser download cannot work offline)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # Chromium throttles timers of pages it thinks are hidden; headless ones must run at full speed.
    "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
]


@dataclass(frozen=True)
class AppServer:
    url: str
    live_log: Path  # FORMCHECK_LIVE_LOG of the server: one JSON line per counted live event


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = shutil.which("chromium")
    if path is None:
        # Fail, not skip: CI installs it (.ci/run), and a skipped browser test proves nothing.
        pytest.fail("Debian's chromium is not installed (apt-get install -y chromium); the browser tests need it")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    """`streamlit run app.py` on a free port, as `make run` starts it."""
    workdir = tmp_path_factory.mktemp("app-server")
    live_log = workdir / "live.jsonl"
    port = _free_port()
    # The sessions the tests finish are kept in a history of their own, not the user's.
    env = dict(os.environ, FORMCHECK_LIVE_LOG=str(live_log), FORMCHECK_DB=str(workdir / "history.sqlite3"))
    output = open(workdir / "streamlit.log", "w+b")
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                output.seek(0)
                pytest.fail(f"streamlit exited with {process.returncode}:\n{output.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("streamlit did not answer its health check within 90 s")
            time.sleep(0.3)
        yield AppServer(url, live_log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        output.seek(0)
        log = output.read().decode(errors="replace")
        output.close()
        # The app must never show or log a traceback, whatever the tests did to it.
        assert "Traceback" not in log, log


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
