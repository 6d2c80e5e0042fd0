"""Spec and engine text as the pages show it."""

from __future__ import annotations

import re

from formcheck.specs import ExerciseSpec


def sentence(text: str) -> str:
    """The engine's messages and cues are phrases ("keep your knees straight"); on the page each
    stands alone, as a sentence."""
    return text[:1].upper() + text[1:]


def facing_text(spec: ExerciseSpec) -> str:
    """How to face the camera, to go before "the camera": "side-on to" or "facing"."""
    return "side-on to" if spec.camera.view == "side" else "facing"


def placement_text(spec: ExerciseSpec) -> str:
    """The spec's camera placement, with "2-3 m" kept on one line: a unit alone at the start of a
    line reads as a word."""
    return re.sub(r"(\d) (m|cm)\b", "\\1\u00a0\\2", spec.camera.placement.strip())
