"""How `levelup serve` starts its HTTP server (granian by default, or uvicorn): one path from
the resolved settings to every worker.

The command resolves its settings once (environment, `.env`, then its options) and hands the
whole object to the workers in one environment variable, whether it runs 1 worker or N; the
factory the server calls in each worker builds the app from exactly those settings. Nothing a
worker needs is left for it to guess (such as which address the server listens on, which
decides whether uploads are on).
"""

from __future__ import annotations

import copy
import ipaddress
import os
import socket
from typing import Any

from starlette.applications import Starlette

from levelup.errors import LevelupError
from levelup.settings import Settings

HANDOVER = "LEVELUP_SERVE_SETTINGS"  # not a Settings field: Settings() ignores it
FACTORY = "server.launch:app_from_environment"
ACCESS_FORMAT = '%(levelprefix)s [%(process)d] %(client_addr)s - "%(request_line)s" %(status_code)s'
# granian formats the request (its atoms), then logging adds the time and the worker's pid
GRANIAN_ACCESS = '%(addr)s - "%(method)s %(path)s %(protocol)s" %(status)d'
GRANIAN_LINE = "%(asctime)s [%(process)d] %(message)s"


def resolve(settings: Settings, **chosen: Any) -> Settings:
    """`settings` with the options given on the command line (None: not given), validated,
    and the data directory made absolute (workers may start elsewhere)."""
    given = {k: v for k, v in chosen.items() if v is not None}
    resolved = Settings.model_validate({**settings.model_dump(), **given})
    return resolved.model_copy(update={"data_dir": resolved.data_dir.resolve()})


def settings_from_environment() -> Settings:
    """The settings `levelup serve` handed over, or (server run by hand) the environment's."""
    handed = os.environ.get(HANDOVER)
    return Settings.model_validate_json(handed) if handed else Settings()


def app_from_environment() -> Starlette:
    """Factory for the server's workers (1 or N): the app on the settings handed over."""
    from server.app import create_app

    return create_app(settings_from_environment())


def log_config(access_log: bool) -> dict[str, Any]:
    """uvicorn's logging set-up: warnings and errors, plus one line per request (naming the
    worker process) when `access_log` is on."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"]["fmt"] = ACCESS_FORMAT
    config["loggers"]["uvicorn"]["level"] = "WARNING"
    config["loggers"]["uvicorn.error"]["level"] = "WARNING"
    config["loggers"]["uvicorn.access"]["level"] = "INFO" if access_log else "WARNING"
    return config


def granian_log_config() -> dict[str, Any]:
    """granian's own logging set-up, with access lines naming the worker process."""
    from granian.log import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["access"]["fmt"] = GRANIAN_LINE
    return config


def bind_address(host: str) -> str:
    """The IP address granian binds for `host`: it takes addresses only, so `localhost` is
    127.0.0.1 and any other name is a LevelupError."""
    if host.lower() == "localhost":
        return "127.0.0.1"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise LevelupError(
            f"cannot listen on {host!r}: granian binds IP addresses (such as 127.0.0.1, "
            "0.0.0.0 or ::); give one, or run with --server uvicorn"
        ) from None
    return host


def check_bind(settings: Settings) -> None:
    """A LevelupError now if the server could not listen where `settings` say, or another
    process already does (granian's socket shares its port, so a second server there would
    start silently and take half the connections)."""
    address = bind_address(settings.host) if settings.server == "granian" else settings.host
    if settings.port == 0:
        return
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is no owner
        try:
            probe.bind((address, settings.port))
        except OSError as error:
            raise LevelupError(
                f"cannot listen on {address} port {settings.port}: {error.strerror} "
                "(is another server running there?)"
            ) from None


def serve(settings: Settings, *, access_log: bool = False) -> None:
    """Run the chosen server with `settings` in every worker (blocks until stopped)."""
    resolved = resolve(settings)
    os.environ[HANDOVER] = resolved.model_dump_json()
    if resolved.server == "uvicorn":
        _serve_uvicorn(resolved, access_log)
    else:
        address, port, workers = bind_address(resolved.host), resolved.port, resolved.workers
        run_granian(FACTORY, address=address, port=port, workers=workers, access_log=access_log)


def run_granian(
    target: str, *, address: str, port: int, workers: int = 1, access_log: bool = False
) -> None:
    """Serve the ASGI app factory `target` ("module:function") with granian, set up as
    `levelup serve` runs it (the serving bench runs its bare app through this too)."""
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops
    from granian.log import LogLevels

    Granian(
        target,
        factory=True,
        address=address,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        log_level=LogLevels.warning,
        log_dictconfig=granian_log_config(),
        log_access=access_log,
        log_access_format=GRANIAN_ACCESS,
        respawn_failed_workers=True,  # a worker that dies is replaced, as uvicorn's are
        workers_kill_timeout=30,  # a worker that will not stop is killed: run.py waits
    ).serve()


def _serve_uvicorn(settings: Settings, access_log: bool) -> None:
    import uvicorn

    uvicorn.run(
        FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        access_log=access_log,
        log_config=log_config(access_log),
        loop="uvloop",
        http="httptools",
    )
