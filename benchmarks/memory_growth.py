"""Is memory flat in video length? Runs `formcheck bench` on a clip and on the same clip looped
several times, each in a fresh process, and prints both figure sets side by side.

    .venv/bin/python benchmarks/memory_growth.py sample_videos/prone_press_up_clean.mp4 --loops 5
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from formcheck.video import VideoWriter, iter_frames, probe_video


def loop_video(source: Path, target: Path, loops: int) -> None:
    info = probe_video(source)
    period = info.duration_s
    with VideoWriter(target, fps=info.fps) as writer:
        for n in range(loops):
            for frame in iter_frames(source):
                writer.write(frame.image, n * period + frame.timestamp_s)


def bench(video: Path, exercise: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "formcheck.cli", "bench", str(video), "-e", exercise],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("video", type=Path)
    parser.add_argument("--exercise", "-e", default="prone_press_up")
    parser.add_argument("--loops", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        looped = Path(tmp) / "looped.mp4"
        loop_video(args.video, looped, args.loops)
        short, long = bench(args.video, args.exercise), bench(looped, args.exercise)
    print(json.dumps({"short": short, f"looped_x{args.loops}": long,
                      "peak_rss_growth_mb": round(long["peak_rss_mb"] - short["peak_rss_mb"], 1)}, indent=2))


if __name__ == "__main__":
    main()
