"""Where per-tileset jobs run: in-process, local worker processes, or a Dask cluster.

Every executor runs `tiles.worker.run` on each job and yields the results as they finish.
Jobs carry only attribute columns and the path of their boundary set's geometry pyramid,
which was cut once and cached on disk, so workers share the geometry work instead of
repeating it (a Dask cluster needs the data directory on a filesystem all workers see).
"""

from __future__ import annotations

import contextlib
import warnings
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import Any

from levelup.errors import SchedulerError
from tiles.worker import TilesetJob, TilesetResult, run

IN_FLIGHT_PER_WORKER = 4  # jobs sent ahead to each worker, so none waits for the next
LOCAL = "local"  # `--scheduler local`: a Dask LocalCluster on this machine
CONNECT_TIMEOUT = "15s"


def run_in_process(jobs: Iterable[TilesetJob]) -> Iterator[TilesetResult]:
    """Run jobs one after another in this process."""
    for job in jobs:
        yield run(job)


def run_in_processes(jobs: Iterable[TilesetJob], workers: int) -> Iterator[TilesetResult]:
    """Run jobs on a pool of local worker processes, in order, a few in flight per worker:
    a job is taken from `jobs` (and its columns made) only when it is about to be sent."""
    in_flight: deque[Future[TilesetResult]] = deque()
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        for job in jobs:
            in_flight.append(pool.submit(run, job))
            if len(in_flight) >= IN_FLIGHT_PER_WORKER * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


@contextlib.contextmanager
def dask_client(scheduler: Any, workers: int) -> Iterator[Any]:
    """A dask.distributed Client: given, at a scheduler address, or a LocalCluster."""
    from dask.distributed import Client, LocalCluster

    if not isinstance(scheduler, str):
        yield scheduler  # a Client the caller owns
    elif scheduler == LOCAL:
        with (
            LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            yield client
    else:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError) as exc:
            raise SchedulerError(
                f"cannot reach a Dask scheduler at {scheduler!r} ({exc}); start one with "
                "'dask scheduler', or use '--scheduler local'"
            ) from exc
        with client:
            yield client


def run_on_dask(jobs: list[TilesetJob], scheduler: Any, workers: int) -> Iterator[TilesetResult]:
    """Run jobs on a Dask cluster; results come back as each finishes."""
    from dask.distributed import as_completed

    with dask_client(scheduler, workers) as client:
        with warnings.catch_warnings():  # the jobs' attribute columns: a few MB, sent once
            warnings.filterwarnings("ignore", "Sending large graph", UserWarning)
            keys = [f"tileset-{job.spec.key.id}" for job in jobs]
            futures = client.map(run, jobs, pure=False, key=keys)
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            client.cancel(futures)


def run_jobs(
    jobs: Iterable[TilesetJob], *, count: int, workers: int, scheduler: Any = None
) -> Iterator[TilesetResult]:
    """Run `count` jobs on a Dask cluster when `scheduler` is given (an address, "local" or a
    Client), else on local processes (in this process for few jobs or one worker)."""
    if scheduler is not None:
        if count:
            yield from run_on_dask(list(jobs), scheduler, workers)
    elif workers <= 1 or count < 8:
        yield from run_in_process(jobs)
    else:
        yield from run_in_processes(jobs, workers)
