"""Area profile pages: GET /areas/{code} (the page) and GET /api/profiles/{code} (its data).

One request each: the page is a small fixed document naming the area, its data one JSON
document; both made once per build and kept gzipped with an ETag of the build (the route
list wraps them in `Cached`).
"""

from __future__ import annotations

import html
import json

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from levelup.errors import BadRequestError, NotFoundError
from server import params, queries
from server.catalog import Catalog, DataStore
from server.profiles import build_profile
from server.web import WEB_DIR

PAGE = WEB_DIR / "profile.html"


def _code(request: Request) -> str:
    code = str(request.path_params["code"])
    if not params.CODE.match(code):
        raise BadRequestError(f"{params.shown(code)} is not an area code")
    return code


def area_name(catalog: Catalog, code: str) -> str:
    """The area's name, or NotFoundError when no boundary or value has the code."""
    rows = catalog.rows(
        queries.AREA_KNOWN,
        code,
        code,
    )
    if not rows:
        raise NotFoundError(f"no area with code {code!r}")
    return str(rows[0]["name"] or code)


def profile_page(code: str, name: str, static: str | None = None) -> str:
    """The profile page of one area: the shared document with its code and name filled in."""
    text = PAGE.read_text(encoding="utf-8")
    meta = f'<meta name="levelup-area" content="{html.escape(code)}">'
    if static:
        meta += f'\n  <meta name="levelup-static" content="{html.escape(static)}">'
    return text.replace('<meta name="levelup-area" content="">', meta).replace(
        "<title>Area profile · levelup</title>", f"<title>{html.escape(name)} · levelup</title>"
    )


class Profiles:
    """The profile endpoints, bound to a data store (their bodies are kept per build, gzipped
    and answered by the book by `server.cached.Cached` in the route list)."""

    def __init__(self, store: DataStore) -> None:
        self.store = store

    async def page(self, request: Request) -> Response:
        """The profile page of an area (404 for a code with no boundary and no value: the
        page then says so, as its data request fails with the reason)."""
        catalog = self.store.current()
        code = _code(request)
        try:
            name, status = area_name(catalog, code), 200
        except NotFoundError:
            name, status = "Area not found", 404
        return HTMLResponse(profile_page(code, name), status_code=status)

    async def data(self, request: Request) -> Response:
        """Everything the profile page shows, in one document."""
        params.allowed(request)
        catalog = self.store.current()
        profile = build_profile(catalog, _code(request))  # tens of milliseconds, once per build
        text = json.dumps(profile, separators=(",", ":"), ensure_ascii=False)
        return Response(text.encode(), media_type="application/json")
