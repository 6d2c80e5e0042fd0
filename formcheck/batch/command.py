"""`formcheck batch`: its options, and the command."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

_MAX_HOLD_S = 600
# What --ray's optional value looks like when it is a cluster's address rather than the input that
# followed it on the command line: host:port, ray://host:port, or auto.
_ADDRESS = re.compile(r"^(auto|local|ray://.+|[^/\\\s]+:\d+)$")


def add_batch_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("batch", help="analyse many videos (a folder or a manifest) on all cores or a Ray cluster",
                       description="Analyse every video of a folder, or every row of a manifest CSV (columns: "
                       "video, exercise, patient, date). Writes a JSON report per video and a summary table "
                       "(summary.csv, summary.parquet) to --out; a re-run skips what is done.")
    p.add_argument("input", nargs="?", help="a folder of videos (exercise from --exercise or from folders named "
                   "after the exercise) or a manifest .csv")
    p.add_argument("--out", "-o", required=True, metavar="DIR", help="output folder (reports, summary, journal)")
    p.add_argument("--exercise", "-e", help="exercise id for every video without one of its own")
    p.add_argument("--workers", "-j", type=int, metavar="N", help="worker processes (default: one per core)")
    p.add_argument("--ray", nargs="?", const="", default=None, metavar="ADDRESS",
                   help="run as Ray tasks: on the cluster at ADDRESS (host:port, ray://host:10001, auto), or on "
                   "a local Ray instance when no address is given (needs pip install 'formcheck[ray]')")
    p.add_argument("--annotated", action="store_true", help="also write an annotated video per video")
    p.add_argument("--hold", type=float, metavar="SECONDS", help="hold target in seconds (default: each spec's)")
    p.add_argument("--model", metavar="PATH", help="a pose_landmarker_{lite,full,heavy}.task file to use instead of "
                   "the model bundled with mediapipe (on a cluster: at this path on every node)")
    p.add_argument("--save", action="store_true", help="save each video's session in the history database, "
                   "under its patient (the manifest's patient column)")
    p.add_argument("--db", metavar="PATH", help="history database file for --save (default: $FORMCHECK_DB, else "
                   "history.sqlite3 in the user's data folder)")
    p.set_defaults(func=cmd_batch)


def cmd_batch(args: argparse.Namespace) -> int:
    from ..cli import UsageError
    from ..specs import load_all_specs
    from .manifest import BatchInputError, items_from_folder, items_from_manifest
    from .run import BatchOptions, run_batch

    if args.input is None and args.ray and not _ADDRESS.match(args.ray):
        # `--ray DIR` without an address: argparse gave the input to --ray.
        args.input, args.ray = args.ray, ""
    if args.input is None:
        raise UsageError("give a folder of videos or a manifest .csv to analyse")
    if args.hold is not None and not 0 < args.hold <= _MAX_HOLD_S:
        raise UsageError(f"--hold {args.hold:g}: give the hold target in seconds, above 0 and at most {_MAX_HOLD_S}")
    if args.workers is not None and args.workers < 1:
        raise UsageError(f"--workers {args.workers}: give 1 or more")
    if args.workers is not None and args.ray is not None:
        raise UsageError("--workers is for this machine's pool; with --ray the cluster's CPUs are used")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out}: is a file; give a folder")
    specs = load_all_specs()
    if args.exercise is not None and args.exercise not in specs:
        raise UsageError(f"unknown exercise '{args.exercise}' (known: {', '.join(sorted(specs))})")
    model = None
    if args.model is not None:
        from ..pose.bundle import check_task_file

        model = str(check_task_file(args.model).resolve())  # PoseModelError: a one-line error before anything runs
    source = Path(args.input)
    try:
        if source.is_file():
            items = items_from_manifest(source, args.exercise, specs)
        else:
            items = items_from_folder(source, args.exercise, specs)
    except BatchInputError as exc:
        raise UsageError(str(exc)) from None
    runner = _runner(args)
    options = BatchOptions(out=out, annotated=args.annotated, hold_target_s=args.hold, model_path=model,
                           save=args.save, db=args.db, stream=sys.stderr)
    try:
        result = run_batch(items, specs, runner, options)
    except BatchInputError as exc:
        raise UsageError(str(exc)) from None
    print(result.summary_line())
    if args.save:
        print(f"{result.history_saved} session{'s' if result.history_saved != 1 else ''} saved to the history")
    return 1 if result.statuses["failed"] else 0


def _runner(args: argparse.Namespace):
    if args.ray is None:
        from .local import LocalPool

        return LocalPool(args.workers)
    from ..cli import UsageError
    from .ray_runner import RAY_MISSING, RayRunner, ray_available

    if not ray_available():
        raise UsageError(RAY_MISSING)
    return RayRunner(args.ray or None)
