"""Run `levelup add` / `levelup remove` in a child process for the upload endpoints.

The child does the reading, joining and tiling (the server never loads geometry libraries)
and reports one line of JSON, a levelup.protocol message. At most a few children run at
once; a preview that takes too long is stopped, a build is never killed half-way (it refuses
to wait for another build's lock instead). Anything unexpected is logged here and answered
with a generic message, so no traceback or server path reaches the client.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from levelup.errors import LevelupError
from levelup.protocol import Message, ProtocolError
from levelup.settings import Settings

LOG = logging.getLogger("levelup.uploads")
CONCURRENT = 2


class Runner:
    """Runs the `levelup` command for one data directory, a few at a time."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.slots = asyncio.Semaphore(CONCURRENT)

    def _environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "LEVELUP_DATA_DIR": str(self.settings.data_dir.resolve()),
            "LEVELUP_MAX_UPLOAD_MB": str(self.settings.max_upload_mb),
        }

    async def report(self, *args: str, timeout: float | None) -> Message:
        """The child's message (its result or its error); a crash is a logged 500."""
        async with self.slots:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "levelup_cli",
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self._environment(),
            )
            try:
                out, err = await asyncio.wait_for(process.communicate(), timeout=timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
                raise LevelupError(f"gave up after {timeout:g}s (LEVELUP_UPLOAD_TIMEOUT)") from None
        lines = [line for line in out.decode("utf-8", "replace").splitlines() if line.strip()]
        try:
            return Message.decode(lines[-1] if lines else "")
        except ProtocolError as exc:
            LOG.error(
                "levelup %s failed (%s): %s", args[0], exc, err.decode("utf-8", "replace")[-4000:]
            )
        raise LevelupError(f"levelup {args[0]} failed unexpectedly; it has been logged")

    async def checked(self, *args: str, timeout: float | None) -> Message:
        """The child's message, raising the error it reported."""
        message = await self.report(*args, timeout=timeout)
        message.raise_error()
        return message
