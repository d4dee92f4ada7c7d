"""The tile fast path: the outermost ASGI layer, answering tile GETs and HEADs directly.

A GET or HEAD the tile route matches (by the route's own pattern, as the router would) goes
straight to the tile endpoint, past the middleware stack and the router's search through every
route: the endpoint answers every outcome itself (errors as the same JSON, the CORS fields as
server.cors ends them), so the answer is the one the whole app gives. Everything else (other
methods, preflights, other paths, lifespan) goes on to the app.
"""

from __future__ import annotations

from starlette.convertors import StringConvertor
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from server.tiles import HEAD_BODY, TileEndpoint

FAST_METHODS = ("GET", "HEAD")


class TileFastPath:
    """ASGI layer sending the tile route's GETs and HEADs to its endpoint, the rest to `app`.

    The route must be the app's first: then no other route could have answered what it
    matches, and sending those requests straight to it changes nothing but the time taken.
    """

    def __init__(self, app: ASGIApp, route: Route) -> None:
        if not isinstance(route.endpoint, TileEndpoint):
            raise TypeError(f"the tile fast path needs the tile route, not {route.path}")
        self.app = app
        self.route = route
        self.endpoint = route.app
        self.tiles = route.endpoint
        self.methods = tuple(m for m in FAST_METHODS if not route.methods or m in route.methods)
        self.prefix = route.path.partition("{")[0]  # "/tiles/"
        # plain {name} parameters only: then the pattern's groups are the path parameters
        plain = all(type(c) is StringConvertor for c in route.param_convertors.values())
        self.pattern = route.path_regex if plain else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a tile request directly; pass anything else on."""
        if scope["type"] == "http" and scope["method"] in self.methods:
            if self.pattern is not None and not scope.get("root_path"):
                kept = self.tiles.kept(scope)
                if kept is not None:  # the same answer as just now
                    await send(kept.start)
                    await send(HEAD_BODY if scope["method"] == "HEAD" else kept.message)
                    return
                found = self.pattern.match(scope["path"])
                if found is not None:
                    scope["path_params"] = found.groupdict()
                    scope["endpoint"] = self.route.endpoint
                    await self.endpoint(scope, receive, send)
                    return
            elif scope["path"].startswith(self.prefix):  # the router's own matching
                match, child = self.route.matches(scope)
                if match is Match.FULL:
                    scope.update(child)
                    await self.endpoint(scope, receive, send)
                    return
        await self.app(scope, receive, send)
