"""Comparable series of one indicator for areas, groups of areas and countries.

A group's figure is aggregated from its members properly (levelup.measures.group_value):
Σ totals ÷ Σ population where the source gives totals (Eurostat), the population-weighted
mean for per-resident measures (ONS mid-year populations of the same year), a sum for
totals. Anything else is refused with the reason, never shown as a median of members.
"""

from __future__ import annotations

import math
import sqlite3
from dataclasses import dataclass
from typing import Any

from levelup.measures import group_value
from server import queries
from server.catalog import Catalog

METHODS = {
    "population-weighted mean": "population-weighted mean of members (ONS mid-year population "
    "estimates of the same year)",
}


class Refused(Exception):
    """An item that cannot be shown for this indicator, with the reason in plain words."""

    def __init__(self, label: str, reason: str) -> None:
        super().__init__(reason)
        self.label, self.reason = label, reason


@dataclass(frozen=True, slots=True)
class Member:
    """A resolved group member: the code found in the data, its level and every equivalent."""

    code: str
    level: str
    aliases: tuple[str, ...]


def _finite(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else value


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)


class Comparer:
    """Builds comparable series for one indicator and variant."""

    def __init__(
        self,
        catalog: Catalog,
        indicator: dict[str, Any],
        variant: str,
        groups: dict[str, dict[str, Any]],
    ) -> None:
        self.catalog, self.indicator, self.variant = catalog, indicator, variant
        self.groups = groups
        self.title = indicator["title"]
        self.levels = [lv["id"] for lv in indicator["levels"]]
        row = catalog.rows(
            queries.INDICATOR_AGGREGATION,
            indicator["id"],
        )[0]
        self.system = row["system"]
        self.kind, self.total, self.scale = (
            row["aggregation"],
            row["aggregation_total"],
            row["aggregation_scale"],
        )
        self.reason = str(row["aggregation_reason"] or "")
        if self.kind == "ratio" and not self.total:
            self.kind = "per-head"  # rates and amounts per resident: weighted by population

    # -- lookups ---------------------------------------------------------------------------

    def _values(
        self, indicator: str, level: str, codes: list[str]
    ) -> dict[tuple[str, int], tuple[float | None, str]]:
        rows = self.catalog.db.execute(
            queries.variant_values(len(codes)),
            [indicator, self.variant, level, *codes],
        ).fetchall()
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def _levels_of(self, code: str) -> list[str]:
        rows = self.catalog.db.execute(
            queries.AREA_LEVELS,
            (self.indicator["id"], self.variant, code),
        ).fetchall()
        return [r[0] for r in rows]

    def _area_level(self, code: str, level: str | None) -> str | None:
        found = self._levels_of(code)
        if level in found:
            return level
        return next((lv for lv in self.levels if lv in found), None)

    def name(self, code: str) -> str:
        """An area's name (the code itself when there is none)."""
        row = self.catalog.db.execute(queries.AREA_NAME, (code,)).fetchone()
        return str(row[0]) if row else code

    def _populations(self, level: str, members: list[Member]) -> dict[tuple[str, int], float]:
        """Population per member and year: derived from the source's totals (Eurostat), else
        ONS mid-year estimates under any of the member's codes."""
        codes = [m.code for m in members]
        rows = self.catalog.db.execute(
            queries.populations(len(codes)),
            [self.indicator["id"], level, *codes],
        ).fetchall()
        out = {(r[0], r[1]): r[2] for r in rows}
        if out or self.kind != "per-head":
            return out
        for member in members:
            try:
                found = self.catalog.db.execute(
                    queries.area_populations(len(member.aliases)),
                    member.aliases,
                ).fetchall()
            except sqlite3.OperationalError:  # a database built before populations shipped
                return {}
            for code, year, population in found:
                if code == member.code or (member.code, year) not in out:
                    out[(member.code, year)] = population
        return out

    # -- items -----------------------------------------------------------------------------

    def item(self, item: str, level: str | None) -> dict[str, Any]:
        """One comparison item as a labelled series; Refused when it cannot be shown."""
        if item.startswith("group:"):
            return self._group(item[6:])
        if item.startswith("codes:"):
            codes = [c.strip() for c in item[6:].replace(" ", "+").split("+") if c.strip()]
            label = "Your group of " + ", ".join(self.name(c) for c in codes)
            return self._aggregate(item, label, [[c] for c in codes], None)
        label = self.name(item)
        found = self._area_level(item, level)
        if found is None:
            raise Refused(label, f"{label} has no {self.title} values")
        values = self._values(self.indicator["id"], found, [item])
        series = [{"year": y, "period": p, "value": v} for (_, y), (v, p) in sorted(values.items())]
        kind = "country" if found in ("uk", "ctry", "nuts0") else "area"
        return {
            "item": item,
            "kind": kind,
            "label": label,
            "level": found,
            "method": "published value",
            "series": series,
        }

    def _group(self, group_id: str) -> dict[str, Any]:
        group = self.groups.get(group_id)
        if group is None:
            raise Refused(group_id, f"there is no group {group_id!r}")
        for membership in group["members"]:
            if membership["system"] == self.system and membership["level"] in self.levels:
                return self._aggregate(
                    f"group:{group_id}", group["title"], membership["areas"], membership["level"]
                )
        raise Refused(
            group["title"], f"{group['title']} has no members at a level with {self.title} values"
        )

    def _members(self, label: str, areas: list[list[str]], level: str | None) -> list[Member]:
        members = []
        for alternatives in areas:
            found = None
            for code in alternatives:
                at = level if level and level in self._levels_of(code) else None
                at = at or self._area_level(code, level)
                if at:
                    found = Member(code, at, tuple(alternatives))
                    break
            if found is None:
                names = "/".join(alternatives)
                raise Refused(label, f"member {names} has no {self.title} values")
            members.append(found)
        if len({m.level for m in members}) > 1:
            raise Refused(label, "its members are at different geography levels")
        return members

    def _aggregate(
        self, item: str, label: str, areas: list[list[str]], level: str | None
    ) -> dict[str, Any]:
        members = self._members(label, areas, level)
        if self.kind == "none":
            raise Refused(label, f"{label} cannot be added up: {self.reason}")
        at = members[0].level
        codes = [m.code for m in members]
        values = self._values(self.indicator["id"], at, codes)
        totals = self._values(self.total, at, codes) if self.total else {}
        people = self._populations(at, members)
        series: list[dict[str, Any]] = []
        for year in sorted({y for (_, y) in values}):
            result = group_value(
                [_num(values.get((c, year), (None, ""))[0]) for c in codes],
                [_num(totals.get((c, year), (None, ""))[0]) * self.scale for c in codes]
                if totals
                else None,
                [people.get((c, year), math.nan) for c in codes] if people else None,
                kind=self.kind,
            )
            period = next((values[(c, year)][1] for c in codes if (c, year) in values), str(year))
            series.append(
                {
                    "year": year,
                    "period": period,
                    "value": _finite(result.value),
                    "method": METHODS.get(result.method, result.method),
                    "present": result.present,
                    "members": result.members,
                }
            )
        shown = [s for s in series if s["value"] is not None]
        if not shown:
            reasons = sorted({str(s["method"]) for s in series}) or ["no values"]
            raise Refused(label, f"{label} cannot be added up: {'; '.join(reasons)}")
        return {
            "item": item,
            "kind": "group",
            "label": label,
            "level": at,
            "members": codes,
            "method": "; ".join(sorted({str(s["method"]) for s in shown})),
            "series": series,
        }
