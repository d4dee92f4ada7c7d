"""DataCors: both CORS fields on shared answers, once; an endpoint's own fields are kept."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from server.cors import EXPOSED, DataCors


def _own(request: Request) -> Response:
    return Response(
        b"x",
        headers={
            "Access-Control-Allow-Origin": "https://maps.example",
            "Access-Control-Expose-Headers": "ETag",
        },
    )


def _plain(request: Request) -> Response:
    return Response(b"x")


def _client() -> TestClient:
    app = Starlette(routes=[Route("/api/own", _own), Route("/api/plain", _plain)])
    app.add_middleware(DataCors, origin="https://maps.example")
    return TestClient(app)


def test_a_shared_answer_gets_both_fields_once() -> None:
    answer = _client().get("/api/plain")
    assert answer.headers.get_list("access-control-allow-origin") == ["https://maps.example"]
    assert answer.headers.get_list("access-control-expose-headers") == [EXPOSED.decode()]


def test_an_endpoint_that_sets_its_own_fields_keeps_them() -> None:
    answer = _client().get("/api/own")
    assert answer.headers.get_list("access-control-allow-origin") == ["https://maps.example"]
    assert answer.headers.get_list("access-control-expose-headers") == ["ETag"]


def test_a_path_that_is_no_route_gets_the_fields_of_any_404() -> None:
    answer = _client().get("/api/nothing-here")
    assert answer.status_code == 404
    assert answer.headers.get_list("access-control-expose-headers") == [EXPOSED.decode()]
