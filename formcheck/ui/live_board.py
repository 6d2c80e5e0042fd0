"""The live board: what the live page shows and says about the session, pushed to the browser as
frames are analysed (live_channel.py) and played there by live_board.js.

`board_message` turns the engine's newest state into what the board shows; `say_message` turns an
utterance into what the player speaks; `render_board` puts the board on the page.
"""

from __future__ import annotations

import json
import time
from functools import lru_cache
from importlib import resources
from typing import Any

from formcheck.engine import FrameState
from formcheck.specs import ExerciseSpec

from .coach import Utterance
from .sound import TONES
from .text import sentence

CUE_MODES = {"voice": "Voice", "tones": "Tones", "off": "Off"}
MIN_GAP_S = 0.35  # silence between two utterances, so that cues never run together
BOARD_HEIGHT_PX = 250
_PHASES = {
    "no_person": "looking for you",
    "adjust_view": "adjust the camera",
    "calibrating": "calibrating: hold still",
    "rest": "at rest",
    "rising": "moving up",
    "top": "at the top",
    "lowering": "coming down",
    "moving": "moving",
    "left_exercise": "out of position",
}


def count_label(spec: ExerciseSpec) -> str:
    """What the exercise counts, as the counter's label."""
    if getattr(spec.motion, "pacing", None) is not None:
        return "Holds"  # live, formcheck paces them
    return {"steps": "Steps", "holds": "Holds"}.get(spec.motion.kind, "Repetitions")


def set_target(spec: ExerciseSpec) -> int | None:
    """Repetitions or holds in one set, from the spec's dosage (both sides together when per side)."""
    if spec.motion.kind == "steps" or not spec.dosage.reps:
        return None
    return spec.dosage.reps * (2 if spec.dosage.per_side else 1)


def phase_text(state: FrameState) -> str:
    text = _PHASES.get(state.phase, state.phase)
    if state.phase == "calibrating":
        text += f" ({state.calibration_progress:.0%})"
    return text


def count_text(state: FrameState, spec: ExerciseSpec) -> tuple[str, int]:
    """The counter as shown, and the number it stands for."""
    if spec.motion.kind == "steps":
        return (f"{state.steps_forward} fwd / {state.steps_backward} back",
                state.steps_forward + state.steps_backward)
    text = str(state.reps)
    if getattr(spec.motion, "per_side", False):
        text += f" (L {state.reps_by_side.get('left', 0)}, R {state.reps_by_side.get('right', 0)})"
    return text, state.reps


def board_message(state: FrameState | None, spec: ExerciseSpec, *, session: int, active: bool,
                  fps: float | None = None, frame_wall: float | None = None) -> dict[str, Any]:
    message: dict[str, Any] = {"type": "board", "session": session, "active": active, "label": count_label(spec)}
    if not active:
        return {**message, "status": "Press START to begin."}
    if state is None:
        return {**message, "status": "Waiting for the first camera frames ...", "count_text": "0", "count": 0}
    text, count = count_text(state, spec)
    cue, kind = None, "info"
    if state.message:
        cue = sentence(state.message)
        kind = "fault" if state.active_faults else ("setup" if not state.calibrated or state.phase == "adjust_view"
                                                    else "info")
    elif state.calibrated:
        cue, kind = "Tracking: keep going.", "ok"
    hold = None
    if state.hold_target_s:
        # Time held in good form: the countdown stands still while a fault is seen (the cue says why).
        hold = {"good": round(min(state.hold_good_s, state.hold_target_s), 2), "target": state.hold_target_s}
    return {
        **message, "count_text": text, "count": count, "target": set_target(spec), "hold": hold,
        "status": phase_text(state), "cue": cue, "cue_kind": kind,
        "guidance": sentence(state.guidance) if state.guidance and state.guidance != state.message else None,
        "fps": None if fps is None else round(fps, 1), "t": round(state.timestamp_s, 3),
        "frame_wall": frame_wall,
    }


def say_message(utterance: Utterance, seq: int, frame_wall: float | None, frame_time_s: float | None
                ) -> dict[str, Any]:
    """`frame_wall`: when the frame that prompted it reached the server (time.time()), for latency."""
    return {"type": "say", "seq": seq, "text": utterance.text, "priority": utterance.priority,
            "kind": utterance.kind, "tone": utterance.tone, "max_wait_s": utterance.max_wait_s,
            "frame_wall": frame_wall, "frame_time_s": frame_time_s, "sent_wall": time.time()}


@lru_cache(maxsize=1)
def _script() -> str:
    return resources.files("formcheck.ui").joinpath("live_board.js").read_text(encoding="utf-8")


_STYLE = """
body { margin: 0; font-family: "Source Sans Pro", "Source Sans 3", sans-serif; color: #31333f; }
#fc-board { padding: 0.2rem 0.1rem; }
#fc-label { font-size: 0.9rem; color: #555; }
#fc-count { font-size: 2.6rem; font-weight: 600; line-height: 1.1; margin-right: 0.6rem; }
#fc-hold { font-size: 1.4rem; font-weight: 600; }
#fc-hold-bar { height: 6px; background: #ddd; border-radius: 3px; margin: 0.2rem 0 0.4rem; }
#fc-hold-fill { height: 6px; background: #3cb45a; border-radius: 3px; width: 0; }
#fc-status { color: #555; margin: 0.2rem 0; }
.line { padding: 0.45rem 0.7rem; border-radius: 0.4rem; margin: 0.3rem 0; }
#fc-cue[data-kind="fault"] { background: #ffdede; color: #7d1a1a; font-weight: 600; }
#fc-cue[data-kind="setup"], #fc-guidance { background: #fff6d6; color: #6b4e00; }
#fc-cue[data-kind="info"] { background: #e4f0fb; color: #1c4a78; }
#fc-cue[data-kind="ok"] { background: #e1f5e5; color: #1b5e2c; }
#fc-voice, #fc-offline, #fc-set { font-size: 0.8rem; color: #666; }
"""


def board_html(url: str, mode: str, volume: float) -> str:
    """The board's page. It holds nothing that changes during a session: the server sends the
    newest board as soon as the page connects, so the same HTML serves every rerun."""
    config = {"url": url, "mode": mode, "volume": volume, "min_gap_s": MIN_GAP_S,
              "tones": {k: [list(n) for n in v] for k, v in TONES.items()}}
    # "</" cannot end the script early inside JSON text
    data = json.dumps(config).replace("</", "<\\/")
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>{_STYLE}</style></head><body>
<div id="fc-board" data-fc="board">
  <div><span id="fc-label"></span></div>
  <div><span id="fc-count" data-fc="count"></span><span id="fc-set"></span></div>
  <div id="fc-hold" data-fc="hold" hidden></div>
  <div id="fc-hold-bar" hidden><div id="fc-hold-fill"></div></div>
  <div id="fc-status"></div>
  <div id="fc-cue" class="line" data-fc="cue" hidden></div>
  <div id="fc-guidance" class="line" data-fc="guidance" hidden></div>
  <div id="fc-voice"></div>
  <div id="fc-offline"></div>
</div>
<script type="application/json" id="fc-config">{data}</script>
<script>{_script()}</script>
</body></html>"""


def render_board(url: str, mode: str, volume: float) -> None:
    """The board on the page. It stays in place across reruns while its settings do not change, so
    its connection (and anything being said) goes on."""
    import streamlit as st

    st.iframe(board_html(url, mode, volume), height=BOARD_HEIGHT_PX)


