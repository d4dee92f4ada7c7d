"""Web uploads of a user's table: store it, preview what was detected, build it, delete it.

The body is streamed to DATA_DIR/user/uploads/<random id>.upload within the size limit; the
name it arrived with is only ever shown, never used as a path. Detection and building run
`levelup add` in a child process, so the server itself never loads geometry libraries.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time
import unicodedata
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from levelup.errors import (
    BadRequestError,
    BusyError,
    ForbiddenError,
    InputError,
    LevelupError,
    NotFoundError,
    TooLargeError,
)
from levelup.ids import valid_user_id
from levelup.protocol import Message
from levelup.settings import Settings
from server import params
from server.catalog import DataStore
from server.errors import error_body, status_of
from server.upload_runner import Runner

UPLOADS = Path("user") / "uploads"
UPLOAD_ID = re.compile(r"^[0-9a-f]{32}$")
STALE_SECONDS = 24 * 3600
MAX_FORM_BYTES = 64 * 1024
CSRF_HEADER = "x-requested-with"
MAX_PENDING = 50
FIXED = ("--json", "--name")  # then the name the upload came with
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
TEXT_FIELDS = {
    "title": 200,
    "unit": 20,
    "source": 300,
    "licence": 200,
    "description": 2000,
    "id": 60,
    "code_column": 200,
    "period_column": 200,
    "period": 40,
    "name_column": 200,
    "level": 20,
}


def file_name(raw: str | None) -> str:
    """The name an upload arrived with, checked: a bare file name, never a path."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        return "upload.csv"
    if "/" in name or "\\" in name or ".." in name or len(name) > 200:
        raise BadRequestError(
            f"file name {params.shown(name)} must be a plain name (no folders, no '..')"
        )
    if any(unicodedata.category(c).startswith("C") for c in name):
        raise BadRequestError("file name contains control characters")
    return name


def is_loopback(host: str) -> bool:
    """Whether an address (or "localhost") is on the loopback interface only."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.removeprefix("::ffff:")).is_loopback
    except ValueError:
        return False


# A request a proxy relayed is not from this machine, whatever its socket says (granian,
# unlike uvicorn, leaves the client address as the proxy's own)
RELAY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def uploads_enabled(settings: Settings) -> bool:
    """Uploads as configured; by default only when the server listens on loopback."""
    if settings.uploads is not None:
        return settings.uploads
    return is_loopback(settings.host)


def hostname(host: str) -> str:
    """The name part of a Host header ("[::1]:8000" -> "::1", "a.org:80" -> "a.org")."""
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_hosts(settings: Settings) -> frozenset[str]:
    """Hosts upload requests may name: loopback, the bound address and the public URL's."""
    extra = {settings.host}
    if settings.public_url:
        extra.add(hostname(urlsplit(settings.public_url).netloc))
    return LOOPBACK | extra - {"0.0.0.0", "::", ""}


def options_from(body: Any) -> list[str]:
    """`levelup add` options from a JSON form, every field checked."""
    if not isinstance(body, dict):
        raise BadRequestError("the body must be a JSON object")
    args: list[str] = []
    for key, value in body.items():
        flag = "--" + key.replace("_", "-")
        if key in TEXT_FIELDS:
            if value is None or value == "":
                continue
            if not isinstance(value, str) or len(value) > TEXT_FIELDS[key]:
                raise BadRequestError(f"{key!r} must be text of at most {TEXT_FIELDS[key]} chars")
            args += [flag, value]
        elif key == "polarity":
            if value not in ("higher", "lower", "neither"):
                raise BadRequestError("'polarity' must be 'higher', 'lower' or 'neither'")
            args += [flag, value]
        elif key == "decimals":
            if value is None:
                continue
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 6:
                raise BadRequestError("'decimals' must be a whole number from 0 to 6")
            args += [flag, str(value)]
        elif key == "value_columns":
            if value is None:  # none chosen: detect them
                continue
            if not isinstance(value, list) or not all(
                isinstance(v, str) and 0 < len(v) <= 200 for v in value
            ):
                raise BadRequestError("'value_columns' must be a list of column names")
            for column in value[:200]:
                args += ["--value-column", column]
        elif key == "replace":
            if not isinstance(value, bool):
                raise BadRequestError("'replace' must be true or false")
            args += ["--replace"] if value else []
        else:
            known = ", ".join([*TEXT_FIELDS, "polarity", "decimals", "value_columns", "replace"])
            raise BadRequestError(f"unknown field {params.shown(key)}; fields: {known}")
    return args


class Uploads:
    """The upload endpoints, bound to one data store and the settings."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self.folder = settings.data_dir / UPLOADS
        self.runner = Runner(settings)
        self.hosts = allowed_hosts(settings)

    # -- guards and helpers ------------------------------------------------------------------

    def _guard(self, request: Request) -> None:
        """Uploads on, our own page (custom header, same origin) and a host we answer to:
        cross-site forms cannot post here and DNS rebinding cannot reach us."""
        if not uploads_enabled(self.settings):
            raise ForbiddenError(
                f"uploads are switched off on this server: it listens on {self.settings.host} "
                "(LEVELUP_UPLOADS; on by default only when serving on 127.0.0.1)"
            )
        client = request.client.host if request.client else ""
        relayed = any(request.headers.get(name) for name in RELAY_HEADERS)
        if self.settings.uploads is None and (relayed or not is_loopback(client)):
            raise ForbiddenError(  # on by default for this machine's own users, no one else
                "uploads are only accepted from this machine unless LEVELUP_UPLOADS is set"
                + (" (this request came through a proxy)" if relayed else "")
            )
        if request.headers.get(CSRF_HEADER) != "levelup":
            raise ForbiddenError(f"send the header '{CSRF_HEADER}: levelup' (cross-site guard)")
        host = request.headers.get("host", "")
        if hostname(host) not in self.hosts:
            raise ForbiddenError(f"uploads are not accepted for host {params.shown(host)}")
        origin = request.headers.get("origin")
        if origin and origin.split("://", 1)[-1] != host:
            raise ForbiddenError("uploads are only accepted from this server's own pages")

    def _paths(self, upload_id: str) -> tuple[Path, Path]:
        if not UPLOAD_ID.match(upload_id):
            raise NotFoundError(f"no upload {params.shown(upload_id)}")
        data, meta = self.folder / f"{upload_id}.upload", self.folder / f"{upload_id}.json"
        if not data.is_file() or not meta.is_file():
            raise NotFoundError(f"no upload {upload_id!r} (uploads are kept for a day)")
        return data, meta

    def _sweep(self) -> None:
        """Forget uploads older than a day; refuse more than MAX_PENDING waiting ones."""
        cutoff = time.time() - STALE_SECONDS
        for path in self.folder.glob("*.*"):
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        if len(list(self.folder.glob("*.upload"))) >= MAX_PENDING:
            raise BusyError(
                f"{MAX_PENDING} uploads are waiting to be built or discarded; try again later"
            )

    async def _receive(self, request: Request, target: Path, name: str) -> int:
        limit = int(self.settings.max_upload_mb * 1024 * 1024)
        declared = request.headers.get("content-length", "")
        too_big = TooLargeError(
            f"{name}: over the {self.settings.max_upload_mb:g} MB upload limit "
            "(LEVELUP_MAX_UPLOAD_MB)"
        )
        digits = declared.isascii() and declared.isdigit()
        if digits and (len(declared) > 15 or int(declared) > limit):
            raise too_big
        size = 0
        try:
            with open(target, "wb") as handle:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise too_big
                    handle.write(chunk)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
        if size == 0:
            target.unlink()
            raise InputError("the file is empty", path=name)
        return size

    async def _add(self, upload_id: str, options: list[str], build: bool) -> Message:
        """Run `levelup add` on a stored upload; its message (a result or an error)."""
        data, meta = self._paths(upload_id)
        name = json.loads(meta.read_text(encoding="utf-8"))["name"]
        if build:  # never killed half-way; refuses to queue behind another build instead
            args = ["--yes", "--quiet", "--no-wait", *options]
            return await self.runner.report(
                "add", *FIXED, name, *args, "--", str(data), timeout=None
            )
        timeout = self.settings.upload_timeout
        args = ["--dry-run", *options, "--", str(data)]
        return await self.runner.report("add", *FIXED, name, *args, timeout=timeout)

    def _answer(self, upload_id: str, message: Message, status: int, **extra: object) -> Response:
        """The preview, or why there is none: a problem in the table is a 422 that keeps the
        upload, so the form can name the columns and try again."""
        error = message.error
        if error is None:
            body = {"upload": upload_id, **message.body(), **extra}
            return JSONResponse(body, status_code=status)
        if not isinstance(error, InputError) or error.columns is None:
            raise error
        body = {"error": error_body(error), "upload": upload_id, "columns": error.columns}
        return JSONResponse(body, status_code=status_of(error))

    async def _form(self, request: Request) -> list[str]:
        raw = bytearray()
        async for chunk in request.stream():
            raw.extend(chunk)
            if len(raw) > MAX_FORM_BYTES:
                raise TooLargeError(f"the form is over {MAX_FORM_BYTES // 1024} KB")
        if not raw.strip():
            return []
        try:
            return options_from(json.loads(raw))
        except ValueError:
            raise BadRequestError("the body must be JSON") from None

    # -- endpoints ---------------------------------------------------------------------------

    async def create(self, request: Request) -> Response:
        """Receive a table (the raw request body) and preview what was detected."""
        self._guard(request)
        params.allowed(request, "name")
        name = file_name(params.query(request, "name"))
        self.folder.mkdir(parents=True, exist_ok=True)
        self._sweep()
        upload_id = uuid.uuid4().hex
        data = self.folder / f"{upload_id}.upload"
        size = await self._receive(request, data, name)
        meta = self.folder / f"{upload_id}.json"
        meta.write_text(json.dumps({"name": name, "size": size}), encoding="utf-8")
        try:
            message = await self._add(upload_id, [], build=False)
            return self._answer(upload_id, message, 201, name=name, size=size)
        except LevelupError:
            data.unlink(missing_ok=True)
            meta.unlink(missing_ok=True)
            raise

    async def preview(self, request: Request) -> Response:
        """Preview again with choices from a JSON form (columns, level, title, unit…)."""
        self._guard(request)
        params.allowed(request)
        upload_id = request.path_params["upload"]
        message = await self._add(upload_id, await self._form(request), build=False)
        return self._answer(upload_id, message, 200)

    async def build(self, request: Request) -> Response:
        """Build the upload as an indicator (tiles included); the upload is then let go."""
        self._guard(request)
        params.allowed(request)
        upload_id = request.path_params["upload"]
        message = await self._add(upload_id, await self._form(request), build=True)
        message.raise_error()
        report = message.result
        for path in self._paths(upload_id):
            path.unlink(missing_ok=True)
        self.store.refresh()
        return JSONResponse(
            {
                "indicator": report["added"]["id"],
                "added": report["added"],
                "preview": report["preview"],
            },
            status_code=201,
        )

    async def discard(self, request: Request) -> Response:
        """Forget an upload that was not built."""
        self._guard(request)
        for path in self._paths(request.path_params["upload"]):
            path.unlink(missing_ok=True)
        return Response(status_code=204)

    async def remove_indicator(self, request: Request) -> Response:
        """Delete one of the user's indicators (shipped ones cannot be deleted)."""
        self._guard(request)
        indicator = request.path_params["indicator"]
        if not valid_user_id(indicator):
            raise NotFoundError(f"no indicator {params.shown(indicator)}")
        await self.runner.checked("remove", "--json", "--no-wait", "--", indicator, timeout=None)
        self.store.refresh()
        return Response(status_code=204)
