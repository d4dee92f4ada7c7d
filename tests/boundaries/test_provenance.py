from pathlib import Path

import pytest

from boundaries.registry import DATA_DIR as BOUNDARY_DATA
from levelup.provenance import load_sources
from pipeline.catalogue import DATA_DIR as INDICATOR_DATA


@pytest.mark.parametrize("root", [BOUNDARY_DATA, INDICATOR_DATA], ids=["boundaries", "indicators"])
def test_every_shipped_file_is_catalogued_and_unchanged(root: Path) -> None:
    sources = load_sources(root)
    on_disk = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} - {"sources.toml"}
    assert on_disk == set(sources.files), "files and sources.toml disagree"
    for path, entry in sources.files.items():
        assert sources.verify(path), f"{path} differs from its recorded sha256"
        assert entry.licence.url.startswith("https://") and entry.origin
        assert entry.attribution


def test_attribution_texts_carry_the_required_wording() -> None:
    texts = {e.attribution for e in load_sources(BOUNDARY_DATA).files.values()}
    texts |= {e.attribution for e in load_sources(INDICATOR_DATA).files.values()}
    joined = " ".join(texts)
    assert "Open Government Licence v.3.0" in joined
    assert "© EuroGeographics" in joined
    assert "Source: Eurostat" in joined
