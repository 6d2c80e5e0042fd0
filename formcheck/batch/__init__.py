"""Batch analysis: many recordings on every core of this machine, or as Ray tasks on a cluster.

`formcheck batch` (see command.py) lists the videos (manifest.py), turns them into jobs that any
worker can run (jobs.py), runs them on a local process pool (local.py) or on Ray (ray_runner.py),
and writes the reports, the journal that lets a re-run skip finished work (state.py) and the
summary table (summary.py) as the outcomes arrive (run.py).
"""

from .jobs import Job, JobOutcome, WorkerContext, analyse_job
from .local import LocalPool
from .manifest import BatchInputError, BatchItem, items_from_folder, items_from_manifest
from .run import BatchOptions, BatchResult, run_batch

__all__ = [
    "BatchInputError",
    "BatchItem",
    "BatchOptions",
    "BatchResult",
    "Job",
    "JobOutcome",
    "LocalPool",
    "WorkerContext",
    "analyse_job",
    "items_from_folder",
    "items_from_manifest",
    "run_batch",
]
