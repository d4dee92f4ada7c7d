"""Add and delete your own indexes from the web map, gated exactly like uploads (switched on,
our own page, a host we answer to): the definition (JSON or TOML) is stored under a random
name and `levelup index add` runs in a child process, so the server loads no geometry or
statistics libraries."""

from __future__ import annotations

import json
import uuid

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from levelup.errors import BadRequestError, NotFoundError, TooLargeError
from levelup.ids import valid_user_id
from levelup.settings import Settings
from server import params
from server.catalog import DataStore
from server.uploads import Uploads

MAX_DEFINITION_BYTES = 256 * 1024


class IndexUploads:
    """POST /api/indexes and DELETE /api/indexes/{index}."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        self.uploads = Uploads(store, settings)
        self.folder = settings.data_dir / "user" / "uploads"

    async def create(self, request: Request) -> Response:
        """Build an index from a definition in the body (?replace=true replaces yours)."""
        self.uploads._guard(request)
        params.allowed(request, "replace")
        replace = params.choice(request, "replace", ["true", "false"], "false") == "true"
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > MAX_DEFINITION_BYTES:
                raise TooLargeError(f"a definition is at most {MAX_DEFINITION_BYTES // 1024} KB")
        if not body.strip():
            raise BadRequestError("send the index definition (JSON or TOML) as the body")
        self.folder.mkdir(parents=True, exist_ok=True)
        kind = "json" if body.lstrip().startswith(b"{") else "toml"
        path = self.folder / f"{uuid.uuid4().hex}.index.{kind}"
        path.write_bytes(bytes(body))
        try:
            args = ["--json", "--quiet", "--no-wait", "--name", f"your index ({kind})"]
            message = await self.uploads.runner.checked(
                "index",
                "add",
                *args,
                *(["--replace"] if replace else []),
                "--",
                str(path),
                timeout=None,
            )
        finally:
            path.unlink(missing_ok=True)
        self.store.refresh()
        added = message.result["added"]
        return JSONResponse({"index": added["id"], **added}, status_code=201)

    async def remove(self, request: Request) -> Response:
        """Delete one of your indexes (the shipped one cannot be deleted)."""
        self.uploads._guard(request)
        params.allowed(request)
        index_id = request.path_params["index"]
        if not valid_user_id(index_id):
            raise NotFoundError(f"no index {params.shown(index_id)}")
        message = await self.uploads.runner.checked(
            "index", "remove", "--json", "--no-wait", "--", index_id, timeout=None
        )
        self.store.refresh()
        body = json.dumps(message.body())
        return Response(body, status_code=200, media_type="application/json")
