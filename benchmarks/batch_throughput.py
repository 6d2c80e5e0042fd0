"""Batch throughput on this machine: the same videos through `formcheck batch` with 1 worker, with
one worker per core, and as Ray tasks on a local Ray instance; frames per second, the scaling ratio,
and whether every run gave the same reports.

    .venv/bin/python benchmarks/batch_throughput.py              # one clean clip of each exercise
    .venv/bin/python benchmarks/batch_throughput.py --clips 7 --repeat 2 --no-ray

Figures are wall-clock, start-up of the workers included (Ray's own start-up is given apart: a
cluster is started once, not per batch). The machine's load average is printed beside each run:
other work on the machine lowers every figure.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from formcheck.batch import BatchItem, BatchOptions, LocalPool, run_batch
from formcheck.batch.local import default_workers
from formcheck.specs import load_all_specs

SAMPLES = Path(__file__).resolve().parent.parent / "sample_videos"


def clean_clips(limit: int | None) -> list[BatchItem]:
    """One clean clip per exercise (its sidecar names the exercise), shortest first."""
    items = []
    for sidecar in sorted(SAMPLES.glob("*_clean.json")):
        data = json.loads(sidecar.read_text())
        items.append((data["duration_s"], BatchItem(video=sidecar.with_suffix(".mp4"), exercise=data["exercise"])))
    items.sort(key=lambda pair: pair[0])
    return [item for _, item in items][:limit]


def timed_batch(label: str, items: list[BatchItem], runner, out: Path) -> dict:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    result = run_batch(items, load_all_specs(), runner, BatchOptions(out=out, stream=io.StringIO()))
    seconds = time.perf_counter() - started
    assert result.analysed == len(items), result.summary_line()
    figures = {"run": label, "videos": len(items), "frames": result.frames, "seconds": round(seconds, 1),
               "frames_per_s": round(result.frames / seconds, 1), "failed": result.statuses["failed"],
               "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2)}
    print(f"{label:<28} {figures['frames']:>6} frames in {seconds:6.1f} s = {figures['frames_per_s']:6.1f} frames/s"
          f"   (load average {figures['load_before']:.2f} before, {figures['load_after']:.2f} after)", flush=True)
    return figures


def reports(out: Path) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted((out / "reports").rglob("*.json"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, help="only the N shortest clean clips (default: all 11)")
    parser.add_argument("--workers", type=int, default=default_workers(), help="the 'all workers' run (default: cores)")
    parser.add_argument("--repeat", type=int, default=1, help="run each configuration N times, alternating, and "
                        "keep the best (other work on the machine only ever slows a run down)")
    parser.add_argument("--no-ray", action="store_true", help="skip the Ray runs")
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args()
    items = clean_clips(args.clips)
    print(f"{len(items)} clips, {os.cpu_count()} cores, {args.workers} workers for the parallel runs, "
          f"best of {args.repeat}", flush=True)
    configurations = [(f"local pool, 1 worker", lambda: LocalPool(1)),
                      (f"local pool, {args.workers} workers", lambda: LocalPool(args.workers))]
    if not args.no_ray:
        import ray

        from formcheck.batch.ray_runner import RayRunner

        configurations.append((f"Ray, {args.workers} CPUs", RayRunner))
    figures, outputs = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for attempt in range(args.repeat):
            for label, make_runner in configurations:
                if label.startswith("Ray"):
                    started = time.perf_counter()
                    ray.init(num_cpus=args.workers, include_dashboard=False, log_to_driver=False)
                    print(f"  (Ray local instance started in {time.perf_counter() - started:.1f} s, "
                          f"{int(ray.cluster_resources()['CPU'])} CPUs)", flush=True)
                out = Path(tmp) / f"{len(figures)}"
                try:
                    figures.append(timed_batch(label, items, make_runner(), out))
                finally:
                    if label.startswith("Ray"):
                        ray.shutdown()
                outputs[len(figures)] = reports(out)
                shutil.rmtree(out)
        best = {label: max(f["frames_per_s"] for f in figures if f["run"] == label) for label, _ in configurations}
        print("best of each:")
        for label, rate in best.items():
            print(f"  {label:<28} {rate:6.1f} frames/s")
        labels = list(best)
        print(f"scaling ratio, {args.workers} workers against 1: {best[labels[1]] / best[labels[0]]:.2f}x")
        if not args.no_ray:
            print(f"Ray against the local pool with {args.workers} workers: {best[labels[2]] / best[labels[1]]:.2f}x")
        same = all(r == next(iter(outputs.values())) for r in outputs.values())
        print(f"identical reports in every run: {'yes' if same else 'NO'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"runs": figures, "best": best, "identical_reports": same}, indent=2)
                                   + "\n")


if __name__ == "__main__":
    main()
