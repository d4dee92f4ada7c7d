"""Where tileset jobs run: an unreachable Dask scheduler is a clear error, not a traceback."""

from __future__ import annotations

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
    assert list(executors.run_jobs([], workers=2, scheduler="tcp://127.0.0.1:1")) == []
