"""Accuracy of formcheck on clips with exact ground truth (the rendered sample videos)."""

from .groundtruth import GroundTruth, find_clips, load_truth
from .runner import evaluate_clip, evaluate_clips, evaluate_folder, run_cli
from .scoring import ClipScore, Totals, score_clip, totals

__all__ = [
    "ClipScore",
    "GroundTruth",
    "Totals",
    "evaluate_clip",
    "evaluate_clips",
    "evaluate_folder",
    "find_clips",
    "load_truth",
    "run_cli",
    "score_clip",
    "totals",
]
