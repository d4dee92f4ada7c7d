"""The writers' lock: one writer per data directory, across threads and processes."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from levelup.errors import BusyError
from levelup.locking import build_lock


def test_threads_take_turns_and_the_lock_is_reentrant(tmp_path: Path) -> None:
    inside, most = 0, 0
    guard = threading.Lock()

    def writer() -> None:
        nonlocal inside, most
        with build_lock(tmp_path), build_lock(tmp_path):  # re-entrant in one thread
            with guard:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            with guard:
                inside -= 1

    threads = [threading.Thread(target=writer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 1


def test_no_wait_refuses_while_another_process_writes(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from levelup.locking import build_lock; "
            f"cm = build_lock(Path({str(tmp_path)!r})); cm.__enter__(); print('held', flush=True); "
            "time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(BusyError, match="another build"), build_lock(tmp_path, wait=False):
            pass
    finally:
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
    with build_lock(tmp_path, wait=False):  # free again once the other writer is gone
        pass


def test_a_writer_in_another_directory_does_not_make_this_one_busy(tmp_path: Path) -> None:
    held, release = threading.Event(), threading.Event()

    def other_writer() -> None:
        with build_lock(tmp_path / "other"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=other_writer)
    thread.start()
    try:
        assert held.wait(10)
        with build_lock(tmp_path / "mine", wait=False):  # not busy: a different directory
            pass
        with pytest.raises(BusyError), build_lock(tmp_path / "other", wait=False):
            pass  # the same directory, from another thread of this process: busy
    finally:
        release.set()
        thread.join()
