"""How long the live page takes from the frame on which something happens (its arrival at the
server, where the engine sees it) to the person hearing it, seeing the count on the page and seeing
the cue drawn on the video. From the server's live log and what the page recorded (recorders.py)."""

from __future__ import annotations

import json
import os

import numpy as np

from recorders import counts_shown, spoken

RTP_WRAP = 2 ** 32


def spoken_latencies(page, server: list[dict], cues: tuple[str, ...] = ("count",)) -> list[float]:
    """Each utterance the server sent for a frame (of these cue kinds) that the page spoke: from the
    frame's arrival to the page asking to speak it. Utterances dropped as stale are not counted."""
    heard = spoken(page)
    used: set[int] = set()
    found = []
    for say in (s for s in server if s["kind"] == "say" and s["cue"] in cues and s["frame_wall"]):
        match = next((i for i, (t, text) in enumerate(heard)
                      if i not in used and text == say["text"] and t >= say["sent_wall"] - 0.05), None)
        if match is not None:
            used.add(match)
            found.append(heard[match][0] - say["frame_wall"])
    return found


def frame_of_count(server: list[dict], n: int) -> dict | None:
    """The frame on which the count first reached n."""
    return next((f for f in server if f["kind"] == "frame" and f["count"] >= n), None)


def page_count_latencies(page, server: list[dict], total: int) -> list[float]:
    """From the arrival of the frame that made the count n to the board showing n, for each n."""
    shown = counts_shown(page)
    found = []
    for n in range(1, total + 1):
        frame = frame_of_count(server, n)
        when = next((t for t, shown_n in shown if shown_n >= n), None)
        if frame is not None and when is not None:
            found.append(when - frame["received_wall"])
    return found


def drawn_latencies(shown_frames: list[tuple[float, int]], server: list[dict], total: int) -> list[float]:
    """From the arrival of the frame that made the count n to that frame, annotated, being shown in
    the page. The picture keeps the camera frame's RTP timestamp (plus the sender's random origin)."""
    frames = [f for f in server if f["kind"] == "frame" and f.get("stream_t") is not None]
    if not shown_frames or not frames:
        return []
    ticks = {round(f["stream_t"] * 90_000) % RTP_WRAP: f for f in frames}
    # The origin is the offset that matches the most shown frames to analysed ones.
    candidates = {}
    for _, rtp in shown_frames[:50]:
        for tick in list(ticks)[:400]:
            origin = (rtp - tick) % RTP_WRAP
            candidates[origin] = candidates.get(origin, 0) + 1
    origin = max(candidates, key=candidates.get)
    shown_at = {}
    for t, rtp in shown_frames:
        shown_at.setdefault((rtp - origin) % RTP_WRAP, t)
    found = []
    for n in range(1, total + 1):
        frame = frame_of_count(server, n)
        tick = None if frame is None else round(frame["stream_t"] * 90_000) % RTP_WRAP
        # The frame itself, or the next one shown if the browser skipped it.
        later = sorted(t for key, t in shown_at.items() if tick is not None and 0 <= (key - tick) % RTP_WRAP < 9000)
        if later:
            found.append(later[0] - frame["received_wall"])
    return found


def shown_frames(page) -> list[tuple[float, int]]:
    from live_session import WEBRTC_IFRAME

    values = page.frame_locator(WEBRTC_IFRAME).locator("body").evaluate("() => window.__fcShown || []")
    return [(t / 1000.0, int(rtp)) for t, rtp in values]


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    return {"n": len(values), "p50": round(float(np.percentile(values, 50)), 3),
            "p90": round(float(np.percentile(values, 90)), 3), "max": round(max(values), 3)}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def save_metrics(name: str, values: dict) -> None:
    """Printed (pytest -s), and appended to $FORMCHECK_E2E_METRICS if set (benchmarks/live_latency.py
    sums them up)."""
    print(f"\n{name}: " + json.dumps(values))
    target = os.environ.get("FORMCHECK_E2E_METRICS")
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(json.dumps({"test": name, **values}) + "\n")
