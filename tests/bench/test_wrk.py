"""wrk's report is parsed into numbers, every kind of error counted."""

from __future__ import annotations

import pytest

from bench import wrk

REPORT = """Running 40s test @ http://127.0.0.1:8000
  2 threads and 100 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     9.56ms   39.10ms   1.76s    99.13%
    Req/Sec     7.87k     1.87k   10.71k    75.03%
  Latency Distribution
     50%    5.59ms
     75%    6.69ms
     90%    9.71ms
     99%   36.00ms
  624571 requests in 40.05s, 1.05GB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:  15593.69
Transfer/sec:     26.92MB
Statuses: 200=624568, 503=3
"""


def test_a_report_with_errors_counts_each_kind() -> None:
    load = wrk.parse(REPORT)
    assert (load.requests, load.rps, load.p50_ms, load.p99_ms) == (624571, 15593.69, 5.59, 36.0)
    assert load.max_ms == pytest.approx(1760.0) and load.errors == 6
    assert "timeout 2" in load.breakdown and "503=3" in load.breakdown


def test_a_clean_report_has_no_errors() -> None:
    clean = "\n".join(
        line for line in REPORT.splitlines() if "errors" not in line and "Non-2xx" not in line
    )
    load = wrk.parse(clean.replace("1.76s", "874.57ms"))
    assert load.errors == 0 and load.max_ms == pytest.approx(874.57)
