"""The wire benchmark counts what crosses the socket and prints honest ratios."""

from __future__ import annotations

import gzip
import http.server
import threading

from bench import wire

BODY = b'{"a":' + b"1" * 5000 + b"}"


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        packed = "gzip" in self.headers.get("accept-encoding", "")
        body = gzip.compress(BODY) if packed else BODY
        self.send_response(200)
        if packed:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("ETag", '"x"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_fetch_counts_the_bytes_as_sent() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        plain = wire.fetch(port, "/", {})
        packed = wire.fetch(port, "/", {"Accept-Encoding": "gzip"})
    finally:
        server.shutdown()
        server.server_close()
    assert (plain["status"], plain["body"], plain["encoding"]) == (200, len(BODY), "identity")
    assert packed["body"] == len(gzip.compress(BODY)) and packed["encoding"] == "gzip"
    assert packed["wire"] > packed["body"] and plain["etag"] == '"x"'


def _measured(wire_bytes: int, cold: float, warm: float) -> dict:
    return {
        "cold": {"wire": wire_bytes, "seconds": cold, "status": 200},
        "warm_seconds": warm,
        "warm_wire": wire_bytes,
        "identity_body": wire_bytes,
        "revalidated": {"status": 304, "wire": 300},
    }


def test_report_shows_ratios_of_ours_to_the_base() -> None:
    ours = {name: _measured(500, 0.2, 0.001) for name in wire.URLS}
    base = {name: _measured(1000, 0.1, 0.02) for name in wire.URLS}
    loads = [{"rps": 100.0, "p99_ms": 5.0, "errors": 0}]
    text = wire.report(
        {
            "base": "abc",
            "heavy": {"ours": ours, "abc": base},
            "tiles": {"ours": loads * 3, "abc": [{**loads[0], "rps": 80.0}] * 3},
        }
    )
    assert text.count("0.50x") == 3 and text.count("2.00x") == 3 and text.count("0.05x") == 3
    assert "ours 100 req/s" in text and "abc 80 req/s" in text and text.endswith("1.25x")
    assert "cannot serve" in wire.report({"base": "abc", "error": "abc cannot serve this build"})
