import itertools
import json
import math
from pathlib import Path

import pytest

from boundaries.hex import (
    MIN_SHARE,
    ORIGIN_M,
    RADIUS_M,
    Hex,
    HexLayout,
    assign,
    best_layout,
    centre,
    corners,
    default_layouts,
    load_layouts,
    ring_lonlat,
    to_lonlat,
)
from levelup.errors import UnreadableFileError

STAGED = Path("/work/shared/data/boundaries/hex")


def neighbours(q: int, r: int, layout: str) -> list[tuple[int, int]]:
    """The six neighbours of a hex in offset coordinates, from the Red Blob Games tables
    (a second implementation: it never uses the frame's formula)."""
    odd = r % 2 != 0
    shoved = odd if layout == "odd-r" else not odd
    if shoved:
        return [(q + 1, r), (q - 1, r), (q, r + 1), (q + 1, r + 1), (q, r - 1), (q + 1, r - 1)]
    return [(q + 1, r), (q - 1, r), (q - 1, r + 1), (q, r + 1), (q - 1, r - 1), (q, r - 1)]


@pytest.mark.parametrize("layout", ["odd-r", "even-r"])
@pytest.mark.parametrize("q, r", [(0, 0), (3, 1), (-2, -3), (5, 4)])
def test_neighbours_touch_along_one_whole_edge(layout: str, q: int, r: int) -> None:
    here = {(round(x, 3), round(y, 3)) for x, y in corners(q, r, layout)}
    x0, y0 = centre(q, r, layout)
    for nq, nr in neighbours(q, r, layout):
        x1, y1 = centre(nq, nr, layout)
        assert math.hypot(x1 - x0, y1 - y0) == pytest.approx(math.sqrt(3) * RADIUS_M)
        there = {(round(x, 3), round(y, 3)) for x, y in corners(nq, nr, layout)}
        assert len(here & there) == 2  # one shared edge: no gap, no overlap


def test_rows_count_northwards_and_odd_rows_shift_right_in_odd_r() -> None:
    # Open Innovations' hexmap draws row r above row r-1 and shoves odd rows of an odd-r
    # layout (even rows of an even-r one) right by half a hex
    assert centre(0, 1, "odd-r")[1] > centre(0, 0, "odd-r")[1]
    assert centre(0, 1, "odd-r")[0] - centre(0, 0, "odd-r")[0] == pytest.approx(
        math.sqrt(3) * RADIUS_M / 2
    )
    assert centre(0, 0, "even-r")[0] - centre(0, 1, "even-r")[0] == pytest.approx(
        math.sqrt(3) * RADIUS_M / 2
    )
    assert centre(0, 0, "even-r") == (ORIGIN_M[0] + math.sqrt(3) * RADIUS_M / 2, ORIGIN_M[1])


def test_rings_are_closed_anticlockwise_and_near_null_island() -> None:
    ring = ring_lonlat(4, 7, "odd-r")
    assert ring[0] == ring[-1] and len(ring) == 7
    area = sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))
    assert area > 0  # RFC 7946: exteriors anticlockwise
    lon, lat = to_lonlat(*centre(4, 7, "odd-r"))
    assert 0 < lon < 6 and 0 < lat < 6


def test_shipped_layouts_match_the_staged_files_and_every_hex_has_a_region() -> None:
    layouts = {layout.id: layout for layout in default_layouts()}
    sizes = {"lad-2019": 382, "lad-2021": 374, "lad-2023": 361, "nuts3-2013": 173}
    assert {k: len(v.hexes) for k, v in layouts.items()} == sizes
    for layout in layouts.values():
        assert all(h.region for h in layout.hexes)
        assert len({(h.q, h.r) for h in layout.hexes}) == len(layout.hexes)
        # every shipped layout lies inside one zoom-6 tile east and north of Null Island
        xs = [x for h in layout.hexes for x, _ in corners(h.q, h.r, layout.layout)]
        ys = [y for h in layout.hexes for _, y in corners(h.q, h.r, layout.layout)]
        assert min(xs) > 0 and max(xs) < 40075016.686 / 64
        assert min(ys) > 0 and max(ys) < 40075016.686 / 64
    if STAGED.is_dir():  # the shipped copies are the staged files, byte for byte
        for layout in layouts.values():
            name = Path(layout.file).name
            shipped = Path("boundaries/data") / layout.file
            assert shipped.read_bytes() == (STAGED / name).read_bytes()
    # the 2019 layout names no regions: they come from the newer layouts and ONS's lookup
    bucks = layouts["lad-2019"].by_id()["E07000004"]
    assert bucks.region == "E12000008"  # Aylesbury Vale, South East
    assert layouts["nuts3-2013"].by_id()["UKC11"].region == "UKC"


def tiny(*hexes: tuple[str, int, int]) -> HexLayout:
    return HexLayout("t", "lad", "Test layout", "t.hexjson", "odd-r",
                     tuple(Hex(code, code, q, r, "R") for code, q, r in hexes))  # fmt: skip


def test_areas_go_on_their_own_a_recoded_or_their_predecessors_hexes() -> None:
    layout = tiny(("A", 0, 0), ("B", 1, 0), ("C", 0, 1), ("D", 1, 1), ("OLD", 2, 0))
    links = {"NEW": {"OLD"}}
    before = {"M": {"C", "D", "X10"}}  # a merged area: its predecessors' hexes (X10 has none)
    found = assign(
        ["A", "B", "NEW", "M", "GONE"],
        layout,
        lambda c: links.get(c, set()),
        lambda c: before.get(c, set()),
    )
    placed = {p.code: p.hexes for p in found.placements}
    assert placed == {"A": ("A",), "B": ("B",), "NEW": ("OLD",), "M": ("C", "D"), "GONE": ()}
    gone = next(p for p in found.placements if p.code == "GONE")
    assert "no hex in the Test layout layout" in gone.how
    assert found.placed == 4 and found.share == pytest.approx(0.8) and not found.offered


def test_a_predecessor_hex_is_never_taken_twice() -> None:
    layout = tiny(("A", 0, 0), ("B", 1, 0))
    before = {"M1": {"A", "B"}, "M2": {"B"}}  # A is still an area here: only B is free
    found = assign(["A", "M1", "M2"], layout, lambda c: set(), lambda c: before.get(c, set()))
    assert {p.code: p.hexes for p in found.placements} == {"A": ("A",), "M1": ("B",), "M2": ()}


def test_best_layout_places_the_most_codes() -> None:
    old = tiny(("A", 0, 0), ("B", 1, 0), ("C", 2, 0))
    new = HexLayout("n", "lad", "New", "n.hexjson", "odd-r", (Hex("A", "A", 0, 0, "R"),))
    best = best_layout(["A", "B", "C"], "lad", [new, old], lambda c: (), lambda c: ())
    assert best is not None and best.layout is old and best.offered
    assert best_layout(["A"], "nuts3", [new, old], lambda c: (), lambda c: ()) is None
    assert MIN_SHARE == 0.9


def test_bad_hexjson_is_refused_naming_the_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "hex").mkdir(parents=True)
    toml = tmp_path / "hexes.toml"
    toml.write_text(
        '[[layout]]\nid = "x"\nlevel = "lad"\ntitle = "X"\nfile = "hex/x.hexjson"\n'
        'regions = "field"\n'
    )
    bad = {"layout": "odd-r", "hexes": {"E1": {"q": 1, "r": "2", "region": "R"}}}
    (data / "hex" / "x.hexjson").write_text(json.dumps(bad))
    with pytest.raises(UnreadableFileError, match=r"x\.hexjson.*column 'r'.*'E1'"):
        load_layouts(toml, data)
    (data / "hex" / "x.hexjson").write_text(json.dumps({**bad, "layout": "odd-q"}))
    with pytest.raises(UnreadableFileError, match="odd-q"):
        load_layouts(toml, data)
