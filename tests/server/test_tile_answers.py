from server.tile_answers import Prepared, TileAnswers


def _answer(size: int) -> Prepared:
    return Prepared.of(200, [(b"content-length", str(size).encode())], b"x" * size)


def _path(n: int) -> str:
    return f"/tiles/t/5/{n}/0.pbf"


def test_answers_are_kept_per_build_and_per_copy() -> None:
    answers, build, other = TileAnswers(10), object(), object()
    packed, plain = _answer(3), _answer(5)
    answers.put(build, _path(1), True, packed)
    assert answers.get(build, _path(1), True) is packed
    assert answers.get(build, _path(1), False) is None  # the identity copy was never kept
    answers.put(build, _path(1), False, plain)
    assert answers.get(build, _path(1), False) is plain and len(answers) == 2
    assert answers.get(build, _path(2), True) is None
    assert answers.get(other, _path(1), True) is None  # another build: nothing of the old one
    assert answers.get(build, _path(1), True) is None and len(answers) == 0


def test_the_oldest_paths_go_first_beyond_the_limit() -> None:
    answers, build = TileAnswers(3), object()
    for n in range(3):
        answers.put(build, _path(n), True, _answer(1))
    assert answers.get(build, _path(0), True) is not None  # a hit does not reorder
    answers.put(build, _path(0), False, _answer(1))  # nor does another copy of a kept path
    answers.put(build, _path(3), True, _answer(1))
    assert [n for n in range(4) if answers.get(build, _path(n), True) is not None] == [1, 2, 3]
    assert answers.get(build, _path(0), False) is None  # both copies of a path go together


def test_the_byte_budget_holds_and_zero_keeps_none() -> None:
    answers, build = TileAnswers(100, budget=10), object()
    for n in range(5):
        answers.put(build, _path(n), True, _answer(4))
    assert len(answers) == 2  # 8 bytes of bodies: a third would pass 10
    answers.put(build, _path(3), True, _answer(2))  # replacing an answer counts the new size
    answers.put(build, _path(9), True, _answer(11))  # larger than the whole budget: not kept
    assert answers.get(build, _path(9), True) is None and len(answers) == 2
    answers.put(build, _path(5), True, _answer(4))  # 2 + 4 + 4: fits only if 4 was let go
    assert [n for n in range(6) if answers.get(build, _path(n), True) is not None] == [3, 4, 5]
    none = TileAnswers(0)
    none.put(build, _path(1), True, _answer(1))
    assert none.get(build, _path(1), True) is None


def test_the_path_being_written_is_never_the_one_dropped() -> None:
    answers, build = TileAnswers(100, budget=10), object()
    answers.put(build, _path(0), False, _answer(6))
    answers.put(build, _path(1), True, _answer(3))
    answers.put(build, _path(0), True, _answer(3))  # path 0 is the oldest, but just written
    assert answers.get(build, _path(0), True) is not None
    assert answers.get(build, _path(0), False) is not None
    assert answers.get(build, _path(1), True) is None and len(answers) == 2
