"""Command line: render clips, the whole sample set, or the sample_videos README.

    python -m tools.render list
    python -m tools.render clip prone_press_up_clean [--frames 3 --scale 0.5 --out DIR]
    python -m tools.render all [--only PREFIX]
    python -m tools.render readme
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tools.render import paths


def main(argv=None):
    paths.configure_caches()
    ap = argparse.ArgumentParser(prog="python -m tools.render")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list")
    c = sub.add_parser("clip")
    c.add_argument("name")
    c.add_argument("--frames", type=int, default=None, help="render only N evenly spaced frames (preview/test)")
    c.add_argument("--times", default=None, help="comma-separated times in seconds to render (preview)")
    c.add_argument("--scale", type=float, default=1.0, help="resolution scale (test renders)")
    c.add_argument("--out", type=Path, default=paths.SAMPLES)
    c.add_argument("--png", action="store_true", help="also save the rendered frames as PNG next to the mp4")
    a = sub.add_parser("all")
    a.add_argument("--only", default="", help="only clips whose name starts with one of these (comma-separated)")
    a.add_argument("--out", type=Path, default=paths.SAMPLES)
    r = sub.add_parser("readme")
    r.add_argument("--out", type=Path, default=paths.SAMPLES)
    args = ap.parse_args(argv)

    from tools.render.clips import CLIPS, by_name
    if args.cmd == "list":
        for spec in CLIPS:
            print(f"{spec.name:40s} {spec.description}")
        return 0
    if args.cmd == "readme":
        from tools.render.readme import write_readme
        print(write_readme(args.out))
        return 0
    from tools.render.runner import render_clip
    if args.cmd == "clip":
        spec = by_name().get(args.name)
        if spec is None:
            print(f"unknown clip {args.name!r}; see `python -m tools.render list`", file=sys.stderr)
            return 2
        t = time.time()
        times = [float(x) for x in args.times.split(",")] if args.times else None
        path, doc = render_clip(spec, args.out, frames_limit=args.frames, scale=args.scale, save_png=args.png,
                                only_times=times)
        print(f"{path} ({doc['frames']} frames) in {time.time() - t:.0f} s")
        return 0
    if args.cmd == "all":
        from tools.render.readme import write_readme
        t = time.time()
        prefixes = [p for p in args.only.split(",") if p] or [""]
        selected = [spec for prefix in prefixes for spec in CLIPS if spec.name.startswith(prefix)]
        for spec in {spec.name: spec for spec in selected}.values():
                s = time.time()
                path, doc = render_clip(spec, args.out)
                print(f"{path.name}: {doc['frames']} frames in {time.time() - s:.0f} s", flush=True)
        print(write_readme(args.out))
        print(f"all clips in {time.time() - t:.0f} s")
        return 0
    return 2
