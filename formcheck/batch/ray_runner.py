"""The batch as Ray tasks: on a cluster (`ray start --head` and workers), or on a local Ray instance.

Ray is an optional extra (`pip install 'formcheck[ray]'`), imported only here. Every node needs
formcheck installed and the videos readable at the same path (a shared folder); reports and
annotated videos come back to the driver, which writes them, so the output folder need not be shared.
A Ray worker process runs task after task, so what `prepare_worker` loads once per process is loaded
once per Ray worker too.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import Iterable, Iterator

from .jobs import Job, JobOutcome, WorkerContext, analyse_job
from .manifest import BatchInputError

RAY_MISSING = "--ray needs Ray, an optional extra: pip install 'formcheck[ray]'"
_TICK_S = 0.5
_RETRIES = 1  # a task whose worker died (a node lost, out of memory) is tried once more, elsewhere


def ray_available() -> bool:
    try:
        import ray  # noqa: F401
    except ImportError:
        return False
    return True


def _analyse_on_ray(job: Job, context: WorkerContext) -> JobOutcome:
    return analyse_job(job, context)


class RayRunner:
    """Runs jobs as Ray tasks, one CPU each, and yields their outcomes as they finish (None now and
    then while nothing finishes). `address`: a cluster's address (host:port, ray://host:10001 or
    "auto"); None starts a local Ray instance, or joins the one named by $RAY_ADDRESS."""

    def __init__(self, address: str | None = None) -> None:
        self.address = address
        self.cluster_cpus = 0

    def run(self, jobs: Iterable[Job], context: WorkerContext) -> Iterator[JobOutcome | None]:
        import ray
        from ray.exceptions import RayError

        started_here = not ray.is_initialized()
        if started_here:
            # Workers' own output is not forwarded: MediaPipe's start-up chatter would break the
            # progress line, and every failure comes back as the video's error anyway.
            try:
                ray.init(address=self.address, log_to_driver=False, logging_level=logging.WARNING,
                         include_dashboard=False)
            except ConnectionError as exc:
                raise BatchInputError(
                    f"cannot reach the Ray cluster at {self.address}: {exc}; is it started (ray start --head)? "
                    "A cluster with token authentication also needs RAY_AUTH_MODE=token and its token "
                    "(RAY_AUTH_TOKEN, from `ray get-auth-token`) here") from None
        pending: dict = {}
        try:
            self.cluster_cpus = int(ray.cluster_resources().get("CPU", 1))
            task = ray.remote(num_cpus=1, max_retries=_RETRIES)(_analyse_on_ray)
            shared = ray.put(context)
            queue: deque[Job] = deque(jobs)
            # Enough tasks queued to keep every CPU of the cluster busy, not the whole batch at once:
            # the annotated videos coming back would otherwise pile up in the object store.
            window = 2 * max(1, self.cluster_cpus)
            while queue or pending:
                while queue and len(pending) < window:
                    job = queue.popleft()
                    pending[task.remote(job, shared)] = job
                ready, _ = ray.wait(list(pending), num_returns=1, timeout=_TICK_S)
                if not ready:
                    yield None
                    continue
                for ref in ready:
                    job = pending.pop(ref)
                    try:
                        yield ray.get(ref)
                    except RayError as exc:
                        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                        yield JobOutcome(index=job.index, key=job.key, report_json=None,
                                         error=f"the Ray task analysing this video failed: {reason}")
        finally:
            for ref in pending:
                ray.cancel(ref, force=True)
            if started_here:
                ray.shutdown()
