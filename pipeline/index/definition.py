"""An index definition (TOML or JSON) as small immutable value types, checked field by field.

index → domains → pillars → measures. A measure is one catalogue variant, or a list of
alternative variants of one indicator (one per nation, say): each area takes the one it has,
and each alternative is standardised among its own areas. Weights are relative within their
parent; a weight of 0 switches a part off. Every problem names the file and the part.
"""

from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from levelup.errors import InputError
from levelup.ids import SLUG, valid_user_id

SCALINGS = ("robust-z", "frontier")
REFERENCES = ("pooled", "year")
DIRECTIONS = ("higher", "lower")
MAX_BYTES = 256 * 1024
LIMITS = {"domain": 12, "pillar": 24, "measure": 60}


@dataclass(frozen=True, slots=True)
class Measure:
    """One scored input: an indicator's variant (or alternatives), its weight and direction."""

    indicator: str
    variants: tuple[str, ...]
    weight: float
    direction: str
    reason: str = ""  # why the direction differs from the catalogue's polarity

    @property
    def id(self) -> str:
        """indicator/variant (alternatives joined with '+')."""
        return f"{self.indicator}/{'+'.join(self.variants)}"


@dataclass(frozen=True, slots=True)
class Pillar:
    """Measures averaged (weighted) into one score."""

    id: str
    title: str
    weight: float
    measures: tuple[Measure, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Domain:
    """Pillars averaged (weighted) into one score."""

    id: str
    title: str
    weight: float
    pillars: tuple[Pillar, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Method:
    """How measures are standardised and how missing values are treated.

    scaling        "robust-z": (value - median) / (1.4826 × MAD), capped at ±cap;
                   "frontier": 0 at the worst, 100 at the best (the `trim` and 1 - `trim`
                   quantiles), clipped to 0–100
    reference      "pooled": medians, MADs and frontiers over every year together, so a score
                   moves only when the value does; "year": within each year
    min_share      an area gets a pillar (domain, index) score only when the measures (pillars,
                   domains) it has carry at least this share of the weight of those published
                   that year
    carry_forward  a missing value may be replaced by the area's latest earlier value at most
                   this many years old; such values are flagged
    """

    scaling: str = "robust-z"
    reference: str = "pooled"
    cap: float = 3.0
    trim: float = 0.01
    min_share: float = 0.5
    carry_forward: int = 2


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """The seeded Monte Carlo behind rank intervals: every weight multiplied by a factor drawn
    from U(1 - spread, 1 + spread); draw i also leaves out measure i mod (M + 1) (none when
    it is M); the interval is the central `coverage` share of the ranks."""

    draws: int = 1000
    spread: float = 0.5
    leave_one_out: bool = True
    seed: int = 16
    coverage: float = 0.9


@dataclass(frozen=True, slots=True)
class IndexDefinition:
    """A whole index: what it is called, how it is computed and what it is made of."""

    id: str
    title: str
    description: str
    level: str
    first_year: int
    method: Method
    uncertainty: Uncertainty
    domains: tuple[Domain, ...]
    source: str = "shipped"  # or "user"

    def pillars(self) -> list[tuple[Domain, Pillar]]:
        """Every pillar with its domain, in order."""
        return [(d, p) for d in self.domains for p in d.pillars]

    def measures(self) -> list[Measure]:
        """Every measure of every pillar (a measure may appear in several pillars)."""
        return [m for _, p in self.pillars() for m in p.measures]


class _Reader:
    """Reads one raw definition, raising InputError that names the file and the part."""

    def __init__(self, path: str) -> None:
        self.path = path

    def fail(self, where: str, message: str) -> InputError:
        return InputError(message, path=self.path, column=where or None)

    def text(self, raw: dict[str, Any], key: str, where: str, default: str | None = None) -> str:
        value = raw.get(key, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(f"{where}{key}", "must be non-empty text")
        if len(value) > 2000:
            raise self.fail(f"{where}{key}", "is longer than 2000 characters")
        return value.strip()

    def slug(self, raw: dict[str, Any], where: str) -> str:
        value = self.text(raw, "id", where)
        if not valid_user_id(value):
            raise self.fail(f"{where}id", f"{value!r} is not a lower-case slug of at most 60")
        return value

    def number(
        self, raw: dict[str, Any], key: str, where: str, default: float, low: float, high: float
    ) -> float:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"{where}{key}", f"must be a number, not {value!r}")
        if not (math.isfinite(value) and low <= value <= high):
            raise self.fail(f"{where}{key}", f"must be from {low:g} to {high:g}, not {value!r}")
        return float(value)

    def integer(
        self, raw: dict[str, Any], key: str, where: str, default: int, low: int, high: int
    ) -> int:
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.fail(f"{where}{key}", f"must be a whole number from {low} to {high}")
        return value

    def choice(
        self, raw: dict[str, Any], key: str, where: str, options: tuple[str, ...], default: str
    ) -> str:
        value = raw.get(key, default)
        if value not in options:
            raise self.fail(f"{where}{key}", f"must be one of {', '.join(options)}")
        return str(value)

    def table(self, raw: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        value = raw.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(f"{where}{key}", "must be a table")
        return value

    def tables(self, raw: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.fail(f"{where}{key}", f"must be a list of [[{key}]] tables")
        if len(value) > LIMITS[key]:
            raise self.fail(f"{where}{key}", f"at most {LIMITS[key]} allowed")
        return value

    def unknown(self, raw: dict[str, Any], where: str, known: set[str]) -> None:
        extra = sorted(set(raw) - known)
        if extra:
            raise self.fail(
                f"{where}{extra[0]}", f"unknown field (known: {', '.join(sorted(known))})"
            )


def _measure(r: _Reader, raw: dict[str, Any], where: str) -> Measure:
    r.unknown(raw, where, {"indicator", "variant", "weight", "direction", "reason"})
    indicator = r.text(raw, "indicator", where)
    variants = raw.get("variant")
    if isinstance(variants, str):
        variants = [variants]
    if (
        not isinstance(variants, list)
        or not variants
        or not all(isinstance(v, str) and SLUG.match(v) for v in variants)
        or len(set(variants)) != len(variants)
    ):
        raise r.fail(f"{where}variant", "must be a variant id or a list of distinct variant ids")
    direction = r.choice(raw, "direction", where, DIRECTIONS, "")
    return Measure(
        indicator=indicator,
        variants=tuple(variants),
        weight=r.number(raw, "weight", where, 1.0, 0.0, 1000.0),
        direction=direction,
        reason=r.text(raw, "reason", where, ""),
    )


def _pillar(r: _Reader, raw: dict[str, Any], where: str) -> Pillar:
    r.unknown(raw, where, {"id", "title", "weight", "measure", "note"})
    pid = r.slug(raw, where)
    here = f"{where}pillar {pid}: "
    return Pillar(
        id=pid,
        title=r.text(raw, "title", where),
        weight=r.number(raw, "weight", where, 1.0, 0.0, 1000.0),
        measures=tuple(
            _measure(r, m, f"{here}measure {i}: ")
            for i, m in enumerate(r.tables(raw, "measure", here), start=1)
        ),
        note=r.text(raw, "note", where, ""),
    )


def _domain(r: _Reader, raw: dict[str, Any], where: str) -> Domain:
    r.unknown(raw, where, {"id", "title", "weight", "pillar", "note"})
    did = r.slug(raw, where)
    here = f"domain {did}: "
    pillars = tuple(_pillar(r, p, here) for p in r.tables(raw, "pillar", here))
    if not pillars:
        raise r.fail(f"{here}pillar", "a domain needs at least one [[domain.pillar]]")
    return Domain(
        id=did,
        title=r.text(raw, "title", where),
        weight=r.number(raw, "weight", where, 1.0, 0.0, 1000.0),
        pillars=pillars,
        note=r.text(raw, "note", where, ""),
    )


def _method(r: _Reader, raw: dict[str, Any]) -> Method:
    w = "method."
    r.unknown(raw, w, {"scaling", "reference", "cap", "trim", "min_share", "carry_forward"})
    return Method(
        scaling=r.choice(raw, "scaling", w, SCALINGS, "robust-z"),
        reference=r.choice(raw, "reference", w, REFERENCES, "pooled"),
        cap=r.number(raw, "cap", w, 3.0, 0.5, 10.0),
        trim=r.number(raw, "trim", w, 0.01, 0.0, 0.2),
        min_share=r.number(raw, "min_share", w, 0.5, 0.01, 1.0),
        carry_forward=r.integer(raw, "carry_forward", w, 2, 0, 5),
    )


def _uncertainty(r: _Reader, raw: dict[str, Any]) -> Uncertainty:
    w = "uncertainty."
    r.unknown(raw, w, {"draws", "spread", "leave_one_out", "seed", "coverage"})
    leave = raw.get("leave_one_out", True)
    if not isinstance(leave, bool):
        raise r.fail(f"{w}leave_one_out", "must be true or false")
    return Uncertainty(
        draws=r.integer(raw, "draws", w, 1000, 0, 5000),
        spread=r.number(raw, "spread", w, 0.5, 0.0, 0.95),
        leave_one_out=leave,
        seed=r.integer(raw, "seed", w, 16, 0, 2**32 - 1),
        coverage=r.number(raw, "coverage", w, 0.9, 0.5, 0.99),
    )


def parse_definition(raw: Any, path: str, source: str = "shipped") -> IndexDefinition:
    """Check a raw definition (from TOML or JSON) and build the value types."""
    r = _Reader(path)
    if not isinstance(raw, dict):
        raise r.fail("", "an index definition must be a table (TOML) or an object (JSON)")
    known = {"id", "title", "description", "level", "first_year", "method", "uncertainty"}
    r.unknown(raw, "", known | {"domain"})
    domains = tuple(_domain(r, d, "") for d in r.tables(raw, "domain", ""))
    if not domains:
        raise r.fail("domain", "an index needs at least one [[domain]]")
    definition = IndexDefinition(
        id=r.slug(raw, ""),
        title=r.text(raw, "title", ""),
        description=r.text(raw, "description", "", ""),
        level=r.text(raw, "level", "", "lad") or "lad",
        first_year=r.integer(raw, "first_year", "", 2011, 1990, 2100),
        method=_method(r, r.table(raw, "method", "")),
        uncertainty=_uncertainty(r, r.table(raw, "uncertainty", "")),
        domains=domains,
        source=source,
    )
    _check_ids(r, definition)
    return definition


def _check_ids(r: _Reader, definition: IndexDefinition) -> None:
    """Domain and pillar ids name the index's variants, so they must be unique and not
    'overall'; each pillar lists a measure at most once."""
    seen: set[str] = {"overall"}
    parts: list[Domain | Pillar] = [*definition.domains, *(p for _, p in definition.pillars())]
    for part in parts:
        if part.id in seen:
            raise r.fail(f"{part.id}", "domain and pillar ids must be unique (and not 'overall')")
        seen.add(part.id)
    for domain, pillar in definition.pillars():
        ids = [m.id for m in pillar.measures]
        if len(set(ids)) != len(ids):
            raise r.fail(f"domain {domain.id}: pillar {pillar.id}", "lists a measure twice")


def read_definition(
    path: Path, source: str = "shipped", shown: str | None = None
) -> IndexDefinition:
    """Read and check a definition file (.toml, or .json as the web map sends it)."""
    name = shown or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror})", path=name) from None
    if len(data) > MAX_BYTES:
        raise InputError(f"larger than {MAX_BYTES // 1024} KB", path=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", path=name) from None
    return parse_text(text, name, source)


def parse_text(text: str, name: str, source: str = "shipped") -> IndexDefinition:
    """Parse TOML (or JSON, when the text starts with '{') and check it."""
    try:
        raw = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=name, line=exc.lineno) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=name) from None
    return parse_definition(raw, name, source)


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return str(value)


def _pairs(items: dict[str, object]) -> list[str]:
    return [f"{k} = {_toml_value(v)}" for k, v in items.items() if v not in ("", None)]


def to_toml(definition: IndexDefinition) -> str:
    """The definition as TOML (read back by parse_text to the same value)."""
    d = definition
    lines = _pairs(
        {
            "id": d.id,
            "title": d.title,
            "description": d.description,
            "level": d.level,
            "first_year": d.first_year,
        }
    )
    m, u = d.method, d.uncertainty
    lines += ["", "[method]", *_pairs({k: getattr(m, k) for k in Method.__slots__})]
    lines += ["", "[uncertainty]", *_pairs({k: getattr(u, k) for k in Uncertainty.__slots__})]
    for domain in d.domains:
        lines += ["", "[[domain]]"]
        lines += _pairs({"id": domain.id, "title": domain.title, "weight": domain.weight})
        lines += _pairs({"note": domain.note})
        for pillar in domain.pillars:
            lines += ["", "  [[domain.pillar]]"]
            lines += [
                f"  {p}"
                for p in _pairs({"id": pillar.id, "title": pillar.title, "weight": pillar.weight})
                + _pairs({"note": pillar.note})
            ]
            for measure in pillar.measures:
                variant: object = (
                    measure.variants[0] if len(measure.variants) == 1 else list(measure.variants)
                )
                fields = {
                    "indicator": measure.indicator,
                    "variant": variant,
                    "weight": measure.weight,
                    "direction": measure.direction,
                    "reason": measure.reason,
                }
                lines += [
                    "",
                    "    [[domain.pillar.measure]]",
                    *(f"    {p}" for p in _pairs(fields)),
                ]
    return "\n".join(lines) + "\n"


def to_json(definition: IndexDefinition) -> dict[str, Any]:
    """The definition as plain JSON-able data (the same shape a file gives)."""
    out: dict[str, Any] = json.loads(json.dumps(_plain(definition)))
    out.pop("source", None)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, IndexDefinition | Domain | Pillar | Measure | Method | Uncertainty):
        out = {}
        for key in type(value).__slots__:
            name = {"domains": "domain", "pillars": "pillar", "measures": "measure"}.get(key, key)
            name = "variant" if key == "variants" else name
            out[name] = _plain(getattr(value, key))
        return out
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
