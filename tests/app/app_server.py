"""The app as `make run` serves it, on a free port, for the browser tests."""

from __future__ import annotations

import contextlib
import os
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


@dataclass(frozen=True)
class AppServer:
    url: str
    live_log: Path  # FORMCHECK_LIVE_LOG of the server: a JSON line per analysed frame, event and utterance


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serve_app(workdir: Path, **env: str) -> Iterator[AppServer]:
    """`streamlit run app.py` on a free port, as `make run` starts it, with `env` added."""
    live_log = workdir / "live.jsonl"
    port = _free_port()
    # The sessions the tests finish are kept in a history of their own, not the user's.
    env = dict(os.environ, FORMCHECK_LIVE_LOG=str(live_log), FORMCHECK_DB=str(workdir / "history.sqlite3"), **env)
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


