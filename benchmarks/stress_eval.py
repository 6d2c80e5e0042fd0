"""formcheck on the stress set: accuracy per variation factor.

    .venv/bin/python benchmarks/stress_eval.py build/stress/report [DIR ...] [--markdown FILE]
        [--readme sample_videos/README.md] [--json FILE] [--from-json FILE ...] [--model PATH] [--workers N]

Runs formcheck's evaluator (the real pose model) on every clip with a ground-truth sidecar in the
folders and prints a table: for each factor the stress generator drew (read from the sidecars'
`factors`), bins of its values with the number of clips, the exact-count rate, the mean absolute
count error, fault recall and fault precision; then one row per exercise and the totals.
`--json` keeps the per-clip scores so `--from-json` can rebuild the table without the pose model;
`--readme` rewrites the measured table between the markers in sample_videos/README.md.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BEGIN, END = "<!-- stress-table:begin -->", "<!-- stress-table:end -->"


def _bin(edges, labels):
    def pick(value):
        if value is None:
            return "n/a"
        for edge, label in zip(edges, labels):
            if value < edge:
                return label
        return labels[-1]
    return pick


def _value(value):
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


# factor -> (row title, value -> bin label, bin order)
FACTORS = {
    "rom_fraction": ("range of motion (lowest rep)", _bin([0.7, 0.9], ["<70 %", "70-90 %", ">=90 %"]),
                     ["<70 %", "70-90 %", ">=90 %"]),
    "still_start": ("still start", _value, ["yes", "no"]),
    "cut_start": ("recording starts", _value, ["none", "departure", "top", "return"]),
    "cut_end": ("recording ends", _value, ["none", "departure", "top", "return"]),
    "azimuth_deg": ("camera azimuth |az|", lambda v: _bin([15, 30], ["<15", "15-30", "30-45"])(abs(v)),
                    ["<15", "15-30", "30-45"]),
    "camera_height_m": ("camera height", _bin([0.4, 0.8], ["<0.4 m", "0.4-0.8 m", ">=0.8 m"]),
                        ["<0.4 m", "0.4-0.8 m", ">=0.8 m"]),
    "portrait": ("portrait 9:16", _value, ["no", "yes"]),
    "tight_framing": ("tight framing (cut off)", _value, ["none", "head", "feet"]),
    "limb_out_of_frame": ("limb out of the picture at the top", _value, ["none", "head", "wrists", "ankles"]),
    "tempo": ("tempo", _bin([0.8, 1.25], ["<0.8x", "0.8-1.25x", ">1.25x"]), ["<0.8x", "0.8-1.25x", ">1.25x"]),
    "hold_s": ("hold", _bin([5, 15], ["<5 s", "5-15 s", ">=15 s"]), ["n/a", "<5 s", "5-15 s", ">=15 s"]),
    "fidget": ("fidget", _value, ["none", "scratch", "shift", "scratch+shift"]),
    "fault": ("scripted fault", lambda v: "none" if v == "none" else "yes", ["none", "yes"]),
}


def _fmt_rate(num, den):
    return f"{num / den * 100:.0f} % ({num}/{den})" if den else "-"


def _metrics(rows):
    n = len(rows)
    exact = sum(r["exact"] for r in rows)
    err = sum(r["count_error"] for r in rows) / n if n else 0.0
    tp = sum(r["fault_true_positives"] for r in rows)
    fn = sum(r["fault_false_negatives"] for r in rows)
    fp = sum(r["fault_false_positives"] for r in rows)
    clean_flagged = sum(1 for r in rows if not r["faults_expected"] and r["faults_found"])
    return [str(n), _fmt_rate(exact, n), f"{err:.2f}", _fmt_rate(tp, tp + fn), _fmt_rate(tp, tp + fp),
            f"{clean_flagged}/{sum(1 for r in rows if not r['faults_expected'])}"]


HEADER = ["clips", "exact count", "mean count error", "fault recall", "fault precision",
          "clean clips with a fault flagged"]


def table(rows, title=""):
    """The per-factor, per-exercise and total table (markdown)."""
    lines = []
    if title:
        lines += [title, ""]
    lines += ["| factor | value | " + " | ".join(HEADER) + " |", "|---|---|" + "---|" * len(HEADER)]
    stress = [r for r in rows if r.get("factors")]
    for key, (name, pick, order) in FACTORS.items():
        groups = {}
        for r in stress:
            if key in r["factors"]:
                groups.setdefault(pick(r["factors"][key]), []).append(r)
        labels = [b for b in order if b in groups] + sorted(b for b in groups if b not in order)
        for i, label in enumerate(labels):
            lines.append(f"| {name if i == 0 else ''} | {label} | " + " | ".join(_metrics(groups[label])) + " |")
    exercises = {}
    for r in rows:
        exercises.setdefault(r["exercise"], []).append(r)
    for i, (ex, group) in enumerate(sorted(exercises.items())):
        lines.append(f"| {'exercise' if i == 0 else ''} | {ex} | " + " | ".join(_metrics(group)) + " |")
    lines.append("| **total** | | " + " | ".join(f"**{m}**" for m in _metrics(rows)) + " |")
    return "\n".join(lines)


def clip_lines(rows):
    """One line per clip: what was expected and found."""
    out = ["| clip | expected | found | faults expected | faults found |", "|---|---|---|---|---|"]
    for r in sorted(rows, key=lambda r: r["clip"]):
        exp = " ".join(f"{k}={v}" for k, v in r["expected"].items())
        found = " ".join(f"{k}={v}" for k, v in r["found"].items())
        mark = "" if r["exact"] else " (off)"
        out.append(f"| `{r['clip']}` | {exp} | {found}{mark} | {', '.join(r['faults_expected']) or '-'} | "
                   f"{', '.join(r['faults_found']) or '-'} |")
    return "\n".join(out)


def evaluate(folders, model=None, workers=1):
    from formcheck.evaluation.groundtruth import find_clips
    from formcheck.evaluation.runner import evaluate_clips

    clips, folder_of = [], []
    for folder in folders:
        found = find_clips(Path(folder))
        if not found:
            print(f"warning: no clips with sidecars in {folder}", file=sys.stderr)
        clips += found
        folder_of += [str(folder)] * len(found)
    if not clips:
        return []
    # One run over every folder's clips: with several workers, one pool for all of them.
    scores, _ = evaluate_clips(clips, model, log=lambda line: print(line, flush=True), workers=workers)
    rows = []
    for (video, _), folder, score in zip(clips, folder_of, scores):
        row = asdict(score)
        row.update(count_error=score.count_error, exact=score.exact, folder=folder,
                   factors=json.loads(video.with_suffix(".json").read_text()).get("factors"))
        rows.append(row)
    return rows


def _commit():
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def replace_between_markers(path: Path, text: str):
    doc = path.read_text(encoding="utf-8")
    if BEGIN not in doc or END not in doc:
        raise SystemExit(f"error: {path} has no {BEGIN} ... {END} markers")
    head, rest = doc.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    path.write_text(head + BEGIN + "\n" + text.rstrip("\n") + "\n" + END + tail, encoding="utf-8")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folders", nargs="*", type=Path, help="folders of clips with ground-truth sidecars")
    ap.add_argument("--from-json", type=Path, action="append", default=[],
                    help="per-clip scores written by --json (no pose model run)")
    ap.add_argument("--json", type=Path, help="write the per-clip scores here")
    ap.add_argument("--markdown", type=Path, help="write the table here")
    ap.add_argument("--readme", type=Path, help="rewrite the table between the stress-table markers of this file")
    ap.add_argument("--title", default="", help="a line above the table")
    ap.add_argument("--clips", action="store_true", help="also list every clip (expected and found)")
    ap.add_argument("--model", default=None, help="a pose_landmarker .task file instead of the bundled model")
    ap.add_argument("--workers", type=int, default=1, help="clips analysed at once, in parallel processes")
    args = ap.parse_args(argv)
    if not args.folders and not args.from_json:
        ap.error("give clip folders or --from-json")

    rows = []
    for path in args.from_json:
        rows += json.loads(path.read_text())["clips"]
    if args.folders:
        rows += evaluate(args.folders, args.model, args.workers)
    if not rows:
        print("error: no clips", file=sys.stderr)
        return 2
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"commit": _commit(), "clips": rows}, indent=1))
    folders = sorted({r.get("folder", "?") for r in rows})
    title = args.title or (f"formcheck at commit {_commit()} on {len(rows)} clips "
                           f"({', '.join(f'`{f}`' for f in folders)}):")
    text = table(rows, title)
    if args.clips:
        text += "\n\n" + clip_lines(rows)
    print(text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.readme:
        replace_between_markers(args.readme, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
