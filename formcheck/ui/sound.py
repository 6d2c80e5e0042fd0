"""The tones of the live page, played by the browser (Web Audio) so nothing is downloaded: a rising
two-note chime for a counted repetition, hold or step, a low double buzz for a new form fault. They
stand in for the voice when it is off or the browser has none (live_board.js plays them)."""

from __future__ import annotations

# (frequency Hz, start s, length s, waveform) per note
TONES: dict[str, list[tuple[float, float, float, str]]] = {
    "count": [(660.0, 0.0, 0.12, "sine"), (990.0, 0.12, 0.18, "sine")],
    "fault": [(220.0, 0.0, 0.15, "square"), (220.0, 0.22, 0.15, "square")],
}
