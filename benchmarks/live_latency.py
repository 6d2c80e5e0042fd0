"""The live page's latency, pooled over the browser tests: from the frame on which a count happens
(its arrival at the server, where the engine sees it) to the page asking the browser to speak it, to
the count showing on the page, and to the annotated picture of that frame being shown (and, from
the voice test, to any cue it prompted being spoken: counts, the hold countdown, fault cues).

    FORMCHECK_E2E_METRICS=build/live.jsonl .venv/bin/python -m pytest -s tests/app/test_browser.py \\
        tests/app/test_live_parity.py
    .venv/bin/python benchmarks/live_latency.py build/live.jsonl

The tests write one JSON line each (tests/app/live_latency.py: save_metrics); this sums up every
line that has latency samples, with the machine's load average when each was measured.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

MEASURES = {
    "frame_to_speech_s": "frame -> spoken count",
    "frame_to_any_cue_spoken_s": "frame -> any cue spoken",
    "frame_to_page_count_s": "frame -> count on the page",
    "frame_to_drawn_cue_s": "frame -> annotated picture shown",
}


def pooled(lines: list[dict]) -> tuple[dict[str, list[float]], list[float], list[float]]:
    samples: dict[str, list[float]] = {name: [] for name in MEASURES}
    loads, rates = [], []
    for line in lines:
        found = line.get("samples") or {}
        if not found:
            continue
        for name, values in found.items():
            samples.setdefault(name, []).extend(values)
        if line.get("load"):
            loads.append(line["load"][0])
        if line.get("frames_per_s"):
            rates.append(line["frames_per_s"])
    return samples, loads, rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("metrics", type=Path, help="the file FORMCHECK_E2E_METRICS named")
    args = parser.parse_args()
    lines = [json.loads(line) for line in args.metrics.read_text(encoding="utf-8").splitlines() if line.strip()]
    samples, loads, rates = pooled(lines)
    print(f"{'':36} {'n':>4} {'p50 s':>7} {'p90 s':>7} {'max s':>7}")
    for name, label in MEASURES.items():
        values = samples[name]
        if values:
            print(f"{label:36} {len(values):>4} {np.percentile(values, 50):>7.3f} {np.percentile(values, 90):>7.3f} "
                  f"{max(values):>7.3f}")
    if loads:
        print(f"1-minute load average while measured: {min(loads):.1f}-{max(loads):.1f} (2 cores)")
    if rates:
        print(f"frames analysed per second: {min(rates):.1f}-{max(rates):.1f}")


if __name__ == "__main__":
    main()
