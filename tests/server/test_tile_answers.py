from server.tile_answers import Prepared, TileAnswers


def _answer(size: int) -> Prepared:
    return Prepared.of(200, [(b"content-length", str(size).encode())], b"x" * size)


def _key(n: int) -> tuple[str, bool]:
    return (f"/tiles/t/5/{n}/0.pbf", True)


def test_answers_are_kept_per_build() -> None:
    answers, build, other = TileAnswers(10), object(), object()
    kept = _answer(3)
    answers.put(build, _key(1), kept)
    assert answers.get(build, _key(1)) is kept
    assert answers.get(build, _key(2)) is None
    assert answers.get(other, _key(1)) is None  # another build: nothing of the old one
    assert answers.get(build, _key(1)) is None and len(answers) == 0


def test_the_least_recently_used_go_first_beyond_the_limit() -> None:
    answers, build = TileAnswers(3), object()
    for n in range(3):
        answers.put(build, _key(n), _answer(1))
    assert answers.get(build, _key(0)) is not None  # used again: now the most recent
    answers.put(build, _key(3), _answer(1))
    assert [n for n in range(4) if answers.get(build, _key(n)) is not None] == [0, 2, 3]


def test_the_byte_budget_holds_and_zero_keeps_none() -> None:
    answers, build = TileAnswers(100, budget=10), object()
    for n in range(5):
        answers.put(build, _key(n), _answer(4))
    assert len(answers) == 2  # 8 bytes of bodies: a third would pass 10
    answers.put(build, _key(9), _answer(11))  # larger than the whole budget: not kept
    assert answers.get(build, _key(9)) is None and len(answers) == 2
    none = TileAnswers(0)
    none.put(build, _key(1), _answer(1))
    assert none.get(build, _key(1)) is None
