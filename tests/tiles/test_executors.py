"""Where tileset jobs run: an unreachable Dask scheduler is a clear error, not a traceback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from levelup.errors import SchedulerError
from tests.conftest import free_port
from tiles import executors


def test_an_unreachable_scheduler_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "1s")
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    with (
        pytest.raises(SchedulerError, match=f"cannot reach a Dask scheduler at '{address}'"),
        executors.dask_client(address, 1),
    ):
        pass


def test_no_jobs_need_no_cluster() -> None:
    assert list(executors.run_jobs([], count=0, workers=2, scheduler="tcp://127.0.0.1:1")) == []


def _double(job: int) -> int:
    return 2 * job


def test_local_pool_keeps_order_and_takes_jobs_only_as_it_sends_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full catalogue's jobs are never all made at once: each job's columns are made when
    it is sent, with a few jobs in flight per worker."""
    monkeypatch.setattr(executors, "run", _double)
    drawn: list[int] = []

    def jobs() -> Iterator[int]:
        for i in range(40):
            drawn.append(i)
            yield i

    results = executors.run_in_processes(jobs(), workers=2)  # type: ignore[arg-type]
    first = next(results)
    assert first == 0 and len(drawn) == executors.IN_FLIGHT_PER_WORKER * 2
    assert [first, *results] == [2 * i for i in range(40)]
