"""Command line: render clips, the whole sample set, or the sample_videos README.

    python -m tools.render list
    python -m tools.render clip prone_press_up_clean [--frames 3 --scale 0.5 --out DIR]
    python -m tools.render all [--only PREFIX]
    python -m tools.render readme
    python -m tools.render stress --set tune|report [--only EXERCISE] [--count N] [--out DIR] [--subset]
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
    st = sub.add_parser("stress", help="render the stress set (factors drawn per clip from its seed)")
    st.add_argument("--set", choices=["tune", "report"], default="tune")
    st.add_argument("--only", default="", help="only these exercises (comma-separated)")
    st.add_argument("--count", type=int, default=None, help="number of clips (default 33, 3 per exercise)")
    st.add_argument("--seeds", default="", help="comma-separated seeds instead of --set/--count")
    st.add_argument("--subset", action="store_true",
                    help="the committed subset: the set's first clip of every exercise")
    st.add_argument("--out", type=Path, default=None, help="default build/stress/<set>/")
    st.add_argument("--skip-existing", action="store_true", help="keep clips whose mp4 and sidecar exist")
    st.add_argument("--list", action="store_true", help="print the drawn plans, render nothing")
    st.add_argument("--sidecars-only", action="store_true",
                    help="rewrite the sidecars of clips already rendered (truth, factors, notes), frames kept")
    st.add_argument("--supersample", type=int, default=1, help="render at this multiple and box-filter down")
    st.add_argument("--frames", type=int, default=None, help="render only N evenly spaced frames (preview)")
    st.add_argument("--times", default=None, help="comma-separated clip times in seconds to render (preview)")
    st.add_argument("--scale", type=float, default=1.0, help="resolution scale (previews)")
    st.add_argument("--png", action="store_true", help="also save the rendered frames as PNG next to the mp4")
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
    if args.cmd == "stress":
        return _stress(args)
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


def _stress(args):
    import json

    from tools.render import stress
    if args.seeds:
        seeds = [int(x) for x in args.seeds.split(",")]
    elif args.subset:
        seeds = stress.subset_seeds(args.set)
    else:
        count = args.count if args.count is not None else (stress.DEFAULT_COUNT if not args.only else 3)
        seeds = stress.seeds(args.set, count, args.only or None)
    if args.list:
        for seed in seeds:
            plan = stress.draw_plan(seed)
            print(json.dumps({k: v for k, v in plan.to_json().items() if k != "reps"}))
        return 0
    from tools.render.stress_render import render_stress
    out = args.out or paths.REPO / "build" / "stress" / args.set
    times = [float(x) for x in args.times.split(",")] if args.times else None
    t = time.time()
    failed = []
    for seed in seeds:
        name = stress.draw_plan(seed).name
        if args.sidecars_only and not (out / f"{name}.json").exists():
            print(f"{name}: not rendered, skipped", flush=True)
            continue
        if args.skip_existing and (out / f"{name}.mp4").exists() and (out / f"{name}.json").exists():
            print(f"{name}: exists, skipped", flush=True)
            continue
        s = time.time()
        try:
            path, doc = render_stress(seed, out, frames_limit=args.frames, scale=args.scale,
                                      supersample=args.supersample, save_png=args.png, only_times=times,
                                      sidecar_only=args.sidecars_only)
        except Exception as e:  # one clip's failure must not lose the others of a long run
            failed.append(seed)
            print(f"{name}: FAILED {type(e).__name__}: {e}", flush=True)
            continue
        what = "sidecar rewritten" if args.sidecars_only else f"{doc['frames']} frames"
        print(f"{path.name}: {what} in {time.time() - s:.0f} s; {doc['description']}", flush=True)
    print(f"{len(seeds) - len(failed)} stress clips in {time.time() - t:.0f} s" +
          (f"; failed seeds {failed}" if failed else ""))
    return 1 if failed else 0
