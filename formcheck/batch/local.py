"""The batch on this machine: a process pool with one worker per core (concurrent.futures).

Each worker process loads MediaPipe and the model once (`prepare_worker`) and then analyses video
after video. A worker that dies (killed, out of memory, a crash in native code) breaks a
ProcessPoolExecutor as a whole, and the pool cannot tell which video it was analysing; so the
videos that were under way are analysed again one at a time on a new pool, where a second death can
only be that video's own. It then becomes a failed row; the batch goes on.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable, Iterator

from .jobs import Job, JobOutcome, WorkerContext, analyse_job, prepare_worker

Work = Callable[[Job, WorkerContext], JobOutcome]
Prepare = Callable[[], None]
WORKER_DIED = ("the worker process analysing this video stopped (killed, out of memory or crashed), "
               "twice; analyse it alone with `formcheck analyze` to see why")
_TICK_S = 0.5  # how often the caller hears from a quiet pool, to keep its progress display moving


def default_workers() -> int:
    """The cores this process may use (a container or `taskset` may allow fewer than the machine has)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class LocalPool:
    """Runs jobs in `workers` processes and yields their outcomes as they finish (None now and then
    while nothing finishes)."""

    def __init__(self, workers: int | None = None, work: Work = analyse_job, prepare: Prepare = prepare_worker) -> None:
        self.workers = workers or default_workers()
        # Module-level functions, so that they can be sent to the workers: `prepare` runs once in
        # each worker as it starts, `work` once per job.
        self.work = work
        self.prepare = prepare

    def run(self, jobs: Iterable[Job], context: WorkerContext) -> Iterator[JobOutcome | None]:
        queue: deque[Job] = deque(jobs)
        alone: deque[Job] = deque()  # under way when a worker died: retried one at a time
        running: dict[Future, Job] = {}
        isolated: Job | None = None  # the job running alone, if any
        pool: ProcessPoolExecutor | None = None
        finished = False
        try:
            while queue or alone or running:
                if pool is None:
                    pool = self._new_pool(context)
                # Only as many jobs as workers are handed over, so that when a worker dies the jobs
                # under way are the only ones in doubt.
                try:
                    if alone and not running:
                        isolated = alone[0]
                        future = pool.submit(_run_job, self.work, isolated)
                        running[future] = alone.popleft()  # taken off only once it is handed over
                    while not alone and queue and len(running) < self.workers:
                        future = pool.submit(_run_job, self.work, queue[0])
                        running[future] = queue.popleft()
                except BrokenProcessPool:
                    # A worker died between jobs. The jobs under way will say so; with none, start afresh.
                    if not running:
                        isolated = None
                        pool.shutdown(wait=True)
                        pool = None
                        continue
                done, _ = wait(running, timeout=_TICK_S, return_when=FIRST_COMPLETED)
                if not done:
                    yield None
                    continue
                broken = False
                for future in done:
                    job = running.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool:
                        broken = True
                        if job is isolated:
                            yield JobOutcome(index=job.index, key=job.key, report_json=None, error=WORKER_DIED)
                        else:
                            alone.append(job)
                    except Exception as exc:  # the outcome could not come back (it cannot be pickled, ...)
                        yield JobOutcome(index=job.index, key=job.key, report_json=None,
                                         error=f"{type(exc).__name__}: {exc}")
                if broken:
                    # Every other job under way fails with the pool (a moment later); those that did
                    # not finish first go to be retried alone too.
                    wait(running)
                    for future, job in running.items():
                        if isinstance(future.exception(), BrokenProcessPool):
                            alone.append(job)
                        elif future.exception() is None:
                            yield future.result()
                        else:
                            yield JobOutcome(index=job.index, key=job.key, report_json=None,
                                             error=f"{type(future.exception()).__name__}: {future.exception()}")
                    running.clear()
                    pool.shutdown(wait=True)
                    pool = None
                if isolated is not None and not running:
                    isolated = None
            finished = True
        finally:
            if pool is not None:
                if finished:
                    pool.shutdown(wait=True)
                else:  # interrupted: do not leave workers analysing videos nobody will collect
                    pool.shutdown(wait=False, cancel_futures=True)
                    for process in list((getattr(pool, "_processes", None) or {}).values()):
                        process.terminate()

    def _new_pool(self, context: WorkerContext) -> ProcessPoolExecutor:
        # spawn, not fork: a forked child of a process that already runs MediaPipe's threads (the app,
        # a test run) can deadlock; each worker starts clean and loads what it needs once.
        return ProcessPoolExecutor(max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(context, self.prepare))


_context: WorkerContext | None = None


def _init_worker(context: WorkerContext, prepare: Prepare) -> None:
    global _context
    _context = context
    prepare()


def _run_job(work: Work, job: Job) -> JobOutcome:
    assert _context is not None
    return work(job, _context)
