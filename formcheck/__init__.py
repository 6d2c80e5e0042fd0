"""formcheck: watches low-back-pain exercises and reports repetitions, holds and form faults.

The Python API in short:

    from formcheck import analyze_video
    report = analyze_video("clip.mp4", "prone_press_up", annotated_path="annotated.mp4")
    print(report.reps, [f.fault for f in report.faults])

For live use, feed `formcheck.engine.Analyzer` one frame of landmarks at a time.
"""

from .engine import Analyzer, FrameState
from .landmarks import Landmarks
from .pipeline import NoPersonError, analyze_video
from .report import Report
from .specs import ExerciseSpec, SpecError, find_spec, load_all_specs, load_spec

__version__ = "0.1.0"

__all__ = [
    "Analyzer",
    "ExerciseSpec",
    "FrameState",
    "Landmarks",
    "NoPersonError",
    "Report",
    "SpecError",
    "analyze_video",
    "find_spec",
    "load_all_specs",
    "load_spec",
]
