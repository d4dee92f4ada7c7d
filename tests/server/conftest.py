from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from levelup.settings import Settings
from server.app import create_app

LAD = "gdp-per-head.current-prices.lad.2019"
NUTS = "eu-gdp-per-head.pps.nuts2.2019"


@pytest.fixture(scope="module")
def client(data_dir: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(data_dir=data_dir))) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def full_client(full_data_dir: Path) -> Iterator[TestClient]:
    """A client of the whole catalogue's build (similar areas, indexes, every section)."""
    with TestClient(create_app(Settings(data_dir=full_data_dir))) as test_client:
        yield test_client
