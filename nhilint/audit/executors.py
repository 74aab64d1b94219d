"""Where the per-repository tasks run: worker processes on this machine, or a Dask cluster.

Both executors take the same plain `Job`s, run the same `audit_repository` and hand each record to
`on_result` in the parent as soon as it is done (in completion order; the assembly sorts). A worker that
dies (killed, out of memory) turns its repository into a failed record, never a lost audit.

`dask.distributed` is an optional extra (`pip install 'nhilint[dask]'`), imported only by `run_dask`: a
`LocalCluster` of `workers` single-threaded processes, or the existing cluster at `scheduler`
(`tcp://host:8786`). The workers need nhilint installed and git access to the repositories.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any

from nhilint.audit.task import Job, audit_repository, failed

OnResult = Callable[[dict[str, Any]], None]
EXECUTORS = ("local", "dask")
# A worker process is replaced after this many repositories: memory stays flat over long audits.
TASKS_PER_WORKER = 100


class ExecutorUnavailable(Exception):
    """The executor cannot be used here (dask not installed, scheduler unreachable): a usage error."""


def run_local(jobs: list[Job], workers: int, on_result: OnResult) -> None:
    """The tasks in `workers` processes; at most twice as many in flight as workers (bounded memory)."""
    if not jobs:
        return
    context = multiprocessing.get_context("spawn")  # no fork of a parent holding threads and open files
    with ProcessPoolExecutor(workers, mp_context=context, max_tasks_per_child=TASKS_PER_WORKER) as pool:
        queue = list(reversed(jobs))
        running: dict[Future[dict[str, Any]], Job] = {}
        while queue or running:
            while queue and len(running) < 2 * workers:
                job = queue.pop()
                running[pool.submit(audit_repository, job)] = job
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                on_result(_result(future, job))


def _result(future: Future[dict[str, Any]], job: Job) -> dict[str, Any]:
    try:
        return future.result()
    except Exception as exc:  # BrokenProcessPool: the worker died under this repository or beside it
        return failed(job, f"worker process failed: {type(exc).__name__}")


def run_dask(jobs: list[Job], workers: int, scheduler: str | None, on_result: OnResult) -> None:
    """The tasks on a Dask cluster: `scheduler`'s, or a LocalCluster of `workers` processes."""
    import importlib
    import logging

    try:
        distributed: Any = importlib.import_module("dask.distributed")  # untyped: used through Any
    except ImportError as exc:
        raise ExecutorUnavailable(
            f"--executor dask needs dask.distributed: pip install 'nhilint[dask]' ({exc})"
        ) from None
    if not jobs:
        return
    cluster = None
    try:
        if scheduler:
            client = distributed.Client(scheduler, timeout="30s")
        else:
            cluster = distributed.LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            client = distributed.Client(cluster)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise ExecutorUnavailable(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {exc}") from None
    try:
        futures = client.map(audit_repository, jobs, pure=False)
        by_key = {future.key: job for future, job in zip(futures, jobs, strict=True)}
        for future in distributed.as_completed(futures):
            job = by_key[future.key]
            try:
                record = future.result()
            except Exception as exc:  # a worker lost: the task is recorded as failed
                record = failed(job, f"dask task failed: {type(exc).__name__}")
            future.release()
            on_result(record)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
