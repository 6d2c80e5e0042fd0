"""formcheck: watches low-back-pain exercises and reports repetitions, holds and form faults.

The Python API in short:

    from formcheck import analyze_video, load_spec_by_id
    report = analyze_video("clip.mp4", "prone_press_up")
    print(report.reps, [f.fault for f in report.faults])
"""

__version__ = "0.1.0"
