"""Shared pytest fixtures."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest


@pytest.fixture(scope="session", autouse=True)
def _isolated_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the test run away from the user's model cache: the offline pose bundle is built
    (once per run, about 2 s) into a temporary folder instead of ~/.cache/formcheck."""
    cache = tmp_path_factory.mktemp("formcheck-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FORMCHECK_CACHE_DIR", str(cache))
        yield cache


@pytest.fixture(scope="session", autouse=True)
def _isolated_history_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`formcheck analyze` saves sessions to the history database by default: keep the test run's
    sessions out of the user's own history."""
    path = tmp_path_factory.mktemp("formcheck-history") / "history.sqlite3"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FORMCHECK_DB", str(path))
        yield path


@pytest.fixture(autouse=True)
def _main_module_restored() -> Iterator[None]:
    """Streamlit's AppTest runs a page as `__main__` and leaves it there; a process pool started later
    (spawn) would run that page again in each worker. Put the real one back after every test."""
    main = sys.modules["__main__"]
    yield
    sys.modules["__main__"] = main


@pytest.fixture(scope="session")
def person_photo_rgb() -> np.ndarray:
    """A real photograph of a person (head and shoulders: Grace Hopper), RGB uint8.

    It ships with matplotlib, which mediapipe depends on, so it is present wherever formcheck
    is installed; skipped if not.
    """
    import cv2

    try:
        from matplotlib import cbook

        path = cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
    except Exception:  # any failure to locate it just means the photo is unavailable
        pytest.skip("matplotlib's sample photo grace_hopper.jpg is not installed")
    image = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if image is None:
        pytest.skip(f"cannot read {path}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]):
    """Runs `formcheck ARGS...` in-process: (exit code, stdout, stderr)."""
    from formcheck.cli import main

    def run(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
