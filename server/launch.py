"""How `levelup serve` starts uvicorn: one path from the resolved settings to every worker.

The command resolves its settings once (environment, `.env`, then its options) and hands the
whole object to the workers in one environment variable, whether it runs 1 worker or N; the
factory uvicorn calls in each worker builds the app from exactly those settings. Nothing a
worker needs is left for it to guess (such as which address the server listens on, which
decides whether uploads are on).
"""

from __future__ import annotations

import copy
import os
from typing import Any

from starlette.applications import Starlette

from levelup.settings import Settings

HANDOVER = "LEVELUP_SERVE_SETTINGS"  # not a Settings field: Settings() ignores it
FACTORY = "server.launch:app_from_environment"
ACCESS_FORMAT = '%(levelprefix)s [%(process)d] %(client_addr)s - "%(request_line)s" %(status_code)s'


def resolve(settings: Settings, **chosen: Any) -> Settings:
    """`settings` with the options given on the command line (None: not given), validated,
    and the data directory made absolute (workers may start elsewhere)."""
    given = {k: v for k, v in chosen.items() if v is not None}
    resolved = Settings.model_validate({**settings.model_dump(), **given})
    return resolved.model_copy(update={"data_dir": resolved.data_dir.resolve()})


def settings_from_environment() -> Settings:
    """The settings `levelup serve` handed over, or (run by uvicorn directly) the environment's."""
    handed = os.environ.get(HANDOVER)
    return Settings.model_validate_json(handed) if handed else Settings()


def app_from_environment() -> Starlette:
    """Factory for uvicorn workers (1 or N): the app on the settings handed over."""
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


def serve(settings: Settings, *, access_log: bool = False) -> None:
    """Run uvicorn with `settings` in every worker (blocks until stopped)."""
    import uvicorn

    resolved = resolve(settings)
    os.environ[HANDOVER] = resolved.model_dump_json()
    uvicorn.run(
        FACTORY,
        factory=True,
        host=resolved.host,
        port=resolved.port,
        workers=resolved.workers,
        access_log=access_log,
        log_config=log_config(access_log),
        loop="uvloop",
        http="httptools",
    )
