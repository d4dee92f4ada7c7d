from boundaries.changes import CodeChanges, Recode


def test_one_to_one_recodes_link_both_ways(changes: CodeChanges) -> None:
    assert "S12000049" in changes.equivalents("S12000046")  # Glasgow City
    assert "S12000046" in changes.equivalents("S12000049")
    assert changes.as_of("S12000046", 2018) == "S12000046"
    assert changes.as_of("S12000046", 2019) == "S12000049"
    assert changes.as_of("E08000016", 2025) == "E08000038"  # Barnsley, 2025 recode
    assert "E07000242" in changes.equivalents("E07000097")  # East Hertfordshire (mySociety)


def test_nuts_recodes_chain_across_versions(changes: CodeChanges) -> None:
    assert changes.as_of("FR24", 2016) == "FRB0"  # Centre-Val de Loire
    assert changes.as_of("UKN10", 2021) == "UKN0A"


def test_mergers_and_splits_name_their_successors(changes: CodeChanges) -> None:
    allerdale = changes.succession_of("E07000026")
    assert allerdale is not None and allerdale.kind == "merger"
    assert allerdale.new == ("E06000063",) and allerdale.year == 2023
    cumbria = changes.succession_of("E10000006")
    assert cumbria is not None and cumbria.kind == "split"
    assert set(cumbria.new) == {"E06000063", "E06000064"}
    assert {"E07000026", "E07000028", "E07000029"} <= set(changes.predecessors_of("E06000063"))


def test_combined_authority_membership_is_not_a_recode(changes: CodeChanges) -> None:
    """changes.csv lists Northumberland -> North of Tyne CA as new_geo: membership, not a recode."""
    assert "E47000011" not in changes.equivalents("E06000057")


def test_recode_cycle_does_not_loop() -> None:
    changes = CodeChanges()
    changes.add_recode(Recode("A", "B", 2000, "t"))
    changes.add_recode(Recode("B", "A", 2001, "t"))
    assert changes.as_of("A", 2005) in {"A", "B"}
    assert changes.equivalents("A") == {"B"}


def test_itl_recodes_only_come_from_the_2016_to_2021_nuts_table(changes: CodeChanges) -> None:
    assert changes.equivalents("TLN0A") == {"TLN10"}  # Derry City and Strabane
    assert changes.equivalents("TLM32") == set()  # ITL 2025 Glasgow, not NUTS 2013 UKM32
