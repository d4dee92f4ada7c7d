"""Analysis endpoints: inequality within countries, named groups, and comparisons of areas,
groups and countries on one indicator (groups aggregated properly, on the fly)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from levelup.errors import BadRequestError, NotFoundError
from levelup.measures import group_value
from levelup.settings import Settings
from server import params
from server.api import find_indicator
from server.catalog import Catalog, DataStore
from server.errors import LOG

MEASURES = {
    "dispersion": "Dispersion of regional values (% of the national figure; Eurostat's measure)",
    "cv": "Coefficient of variation (%)",
    "gini": "Gini coefficient",
    "theil": "Theil T index",
    "top_bottom": "Top fifth ÷ bottom fifth",
}
COMPARABILITY = (
    "Regional boundaries change: Eurostat revises NUTS every few years (2013, 2016, 2021) and "
    "publishes each release in its current regions, so the same country can show a break "
    "between releases (France merged its regions in 2016; Ireland, Poland and Hungary redrew "
    "theirs). Measures also depend on how finely a country is cut: more, smaller regions show "
    "more inequality (London is five NUTS 2 regions, Paris one). Compare countries within one "
    "release and one level, and read changes across releases with care. UK district figures "
    "are unweighted (the sources give no populations), so a few small areas such as the City "
    "of London weigh as much as Birmingham."
)
ITEM = re.compile(r"^(group:[a-z0-9-]+|codes:[A-Za-z0-9_+ ]+|[A-Za-z0-9_]{1,16})$")
MAX_ITEMS = 8


class Analysis:
    """The analysis endpoints, bound to a data store."""

    def __init__(self, store: DataStore, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    # -- inequality --------------------------------------------------------------------------

    def _inequality(self, request: Request) -> dict[str, Any]:
        catalog = self.store.current()
        params.allowed(request, "indicator", "variant", "level", "countries")
        available = catalog.rows("SELECT DISTINCT indicator, variant, level FROM inequality")
        if not available:
            raise NotFoundError("no inequality measures in this build")
        indicators = sorted({r["indicator"] for r in available})
        default = "eu-gdp-per-head-2017" if "eu-gdp-per-head-2017" in indicators else indicators[0]
        indicator = params.choice(request, "indicator", indicators, default)
        variants = sorted({r["variant"] for r in available if r["indicator"] == indicator})
        entry = find_indicator(catalog, indicator)
        first_variant = next(v["id"] for v in entry["variants"] if v["id"] in variants)
        variant = params.choice(request, "variant", variants, first_variant)
        levels = [
            lv["id"]
            for lv in entry["levels"]
            if any(r["level"] == lv["id"] and r["indicator"] == indicator for r in available)
        ]
        level = params.choice(request, "level", levels, "nuts2" if "nuts2" in levels else levels[0])
        rows = catalog.rows(
            "SELECT * FROM inequality WHERE indicator = ? AND variant = ? AND "
            "level = ? ORDER BY country, year",
            indicator,
            variant,
            level,
        )
        countries = sorted({r["country"] for r in rows})
        wanted = params.codes(request, "countries")
        if wanted:
            unknown = [c for c in wanted if c not in countries]
            if unknown:
                raise BadRequestError(
                    f"parameter 'countries': no data for {', '.join(unknown)}"
                    f" (available: {', '.join(countries)})"
                )
        series: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            if wanted and row["country"] not in wanted:
                continue
            series[row.pop("country")].append(
                {
                    k: _finite(row[k])
                    for k in (
                        "year",
                        "regions",
                        "weighted",
                        "national",
                        "national_source",
                        *MEASURES,
                    )
                }
            )
        marks = ",".join("?" * len(countries))
        names = dict(
            catalog.db.execute(
                f"SELECT code, name FROM areas WHERE code IN ({marks})", countries
            ).fetchall()
        )
        names.setdefault("UK", "United Kingdom")
        return {
            "indicator": indicator,
            "variant": variant,
            "level": level,
            "title": entry["title"],
            "unit": next(v["unit"] for v in entry["variants"] if v["id"] == variant),
            "measures": MEASURES,
            "countries": {c: names.get(c, c) for c in series},
            "series": series,
            "comparability": COMPARABILITY,
            "choices": {
                "indicators": indicators,
                "variants": variants,
                "levels": levels,
                "countries": countries,
            },
        }

    async def inequality(self, request: Request) -> Response:
        """Inequality measures per country and year (JSON)."""
        return JSONResponse(self._inequality(request))

    async def inequality_csv(self, request: Request) -> Response:
        """The same as CSV, one row per country and year."""
        data = self._inequality(request)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        columns = ["year", "regions", "weighted", "national", "national_source", *MEASURES]
        writer.writerow(["indicator", "variant", "level", "country", *columns])
        for country, rows in data["series"].items():
            for row in rows:
                writer.writerow(
                    [
                        data["indicator"],
                        data["variant"],
                        data["level"],
                        country,
                        *("" if row[c] is None else row[c] for c in columns),
                    ]
                )
        name = f"inequality.{data['indicator']}.{data['variant']}.{data['level']}.csv"
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    # -- groups and comparisons --------------------------------------------------------------

    def all_groups(self, catalog: Catalog) -> dict[str, dict[str, Any]]:
        """Shipped groups from the build, then the user's groups (DATA_DIR/user/groups.json)."""
        groups = {
            r["id"]: {**r, "members": json.loads(r["members"])}
            for r in catalog.rows("SELECT * FROM groups ORDER BY title")
        }
        path = self.settings.data_dir / "user" / "groups.json"
        if path.is_file():
            try:
                for group in json.loads(path.read_text(encoding="utf-8")):
                    groups.setdefault(group["id"], {**group, "source": "user"})
            except (OSError, ValueError, KeyError) as exc:
                LOG.warning("ignoring unreadable %s: %s", path, exc)
        return groups

    async def groups(self, request: Request) -> Response:
        """Named groups of areas: shipped, then the user's own."""
        params.allowed(request)
        return JSONResponse({"groups": list(self.all_groups(self.store.current()).values())})

    async def compare(self, request: Request) -> Response:
        """Series of one indicator for areas, groups and countries, side by side."""
        catalog = self.store.current()
        params.allowed(request, "variant", "items", "level")
        entry = find_indicator(catalog, request.path_params["indicator"])
        variant = params.choice(
            request, "variant", [v["id"] for v in entry["variants"]], entry["variants"][0]["id"]
        )
        text = params.query(request, "items")
        if not text:
            raise BadRequestError(
                "parameter 'items' is required: area codes, group:ID or "
                "codes:A+B+C, comma-separated"
            )
        items = [i.strip() for i in text.split(",") if i.strip()]
        if len(items) > MAX_ITEMS or any(not ITEM.match(i) for i in items):
            raise BadRequestError(
                f"parameter 'items': up to {MAX_ITEMS} of area codes, group:ID or codes:A+B+C"
            )
        level = params.query(request, "level")
        data = Comparer(catalog, entry, variant, self.all_groups(catalog))
        return JSONResponse(
            {
                "indicator": entry["id"],
                "variant": variant,
                "title": entry["title"],
                "unit": next(v["unit"] for v in entry["variants"] if v["id"] == variant),
                "decimals": entry["decimals"],
                "polarity": entry["polarity"],
                "items": [data.item(i, level) for i in items],
            }
        )


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value


@dataclass
class Member:
    """A resolved group member: the code found in the data and its level."""

    code: str
    level: str


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
        self.levels = [lv["id"] for lv in indicator["levels"]]
        row = catalog.rows(
            "SELECT system, aggregation, aggregation_total, aggregation_scale "
            "FROM indicators WHERE id = ?",
            indicator["id"],
        )[0]
        self.system = row["system"]
        self.meta = {
            "kind": row["aggregation"],
            "total": row["aggregation_total"],
            "scale": row["aggregation_scale"],
        }

    def _values(
        self, indicator: str, variant: str, level: str, codes: list[str]
    ) -> dict[tuple[str, int], tuple[float | None, str]]:
        rows = self.catalog.db.execute(
            "SELECT code, year, value, period FROM observations WHERE indicator = ? AND "
            f"variant = ? AND level = ? AND code IN ({','.join('?' * len(codes))})",
            [indicator, variant, level, *codes],
        ).fetchall()
        return {(r[0], r[1]): (r[2], r[3]) for r in rows}

    def _area_level(self, code: str, level: str | None) -> str | None:
        rows = self.catalog.db.execute(
            "SELECT DISTINCT level FROM observations WHERE indicator = ? AND variant = ? "
            "AND code = ?",
            (self.indicator["id"], self.variant, code),
        ).fetchall()
        found = [r[0] for r in rows]
        if level in found:
            return level
        return next((lv for lv in self.levels if lv in found), None)

    def item(self, item: str, level: str | None) -> dict[str, Any]:
        """One comparison item as a labelled series."""
        if item.startswith("group:"):
            return self._group(item[6:])
        if item.startswith("codes:"):
            codes = [c.strip() for c in item[6:].replace(" ", "+").split("+") if c.strip()]
            return self._aggregate(
                item, "Your group of " + ", ".join(codes), [[c] for c in codes], None
            )
        found = self._area_level(item, level)
        if found is None:
            raise NotFoundError(f"{item!r} has no {self.indicator['id']} values")
        values = self._values(self.indicator["id"], self.variant, found, [item])
        name = self.catalog.db.execute(
            "SELECT name FROM areas WHERE code = ? LIMIT 1", (item,)
        ).fetchone()
        series = [{"year": y, "period": p, "value": v} for (_, y), (v, p) in sorted(values.items())]
        return {
            "item": item,
            "kind": "area",
            "label": name[0] if name else item,
            "level": found,
            "method": "published value",
            "series": series,
        }

    def _group(self, group_id: str) -> dict[str, Any]:
        group = self.groups.get(group_id)
        if group is None:
            raise NotFoundError(f"unknown group {group_id!r}")
        for membership in group["members"]:
            if membership["system"] == self.system and membership["level"] in self.levels:
                return self._aggregate(
                    f"group:{group_id}", group["title"], membership["areas"], membership["level"]
                )
        raise NotFoundError(
            f"group {group_id!r} has no members at a level with {self.indicator['id']} data"
        )

    def _aggregate(
        self, item: str, label: str, areas: list[list[str]], level: str | None
    ) -> dict[str, Any]:
        members: list[Member] = []
        for alternatives in areas:
            found = None
            for code in alternatives:
                at = level if level and self._has(code, level) else self._area_level(code, level)
                if at:
                    found = Member(code, at)
                    break
            if found is None:
                raise NotFoundError(
                    f"{item}: member {'/'.join(alternatives)} has no {self.indicator['id']} values"
                )
            members.append(found)
        levels = {m.level for m in members}
        if len(levels) > 1:
            raise BadRequestError(f"{item}: members are at different levels ({', '.join(levels)})")
        at = levels.pop()
        codes = [m.code for m in members]
        values = self._values(self.indicator["id"], self.variant, at, codes)
        totals = (
            self._values(self.meta["total"], self.variant, at, codes)
            if self.meta.get("total")
            else {}
        )
        populations = self._populations(at, codes)
        years = sorted({y for (_, y) in values})
        series = []
        for year in years:
            value_list = [_num(values.get((c, year), (None, ""))[0]) for c in codes]
            total_list = (
                [_num(totals.get((c, year), (None, ""))[0]) * self.meta["scale"] for c in codes]
                if totals
                else None
            )
            population_list = (
                [populations.get((c, year), math.nan) for c in codes] if populations else None
            )
            result = group_value(
                value_list, total_list, population_list, kind=self.meta.get("kind", "ratio")
            )
            period = next((values[(c, year)][1] for c in codes if (c, year) in values), str(year))
            series.append(
                {
                    "year": year,
                    "period": period,
                    "value": _finite(result.value),
                    "method": result.method,
                    "present": result.present,
                    "members": result.members,
                }
            )
        methods = sorted({s["method"] for s in series if s["value"] is not None})
        return {
            "item": item,
            "kind": "group",
            "label": label,
            "level": at,
            "members": codes,
            "method": "; ".join(methods) or "no complete year",
            "series": series,
        }

    def _has(self, code: str, level: str) -> bool:
        return (
            self.catalog.db.execute(
                "SELECT 1 FROM observations WHERE indicator = ? AND variant = ? AND level = ? AND "
                "code = ? LIMIT 1",
                (self.indicator["id"], self.variant, level, code),
            ).fetchone()
            is not None
        )

    def _populations(self, level: str, codes: list[str]) -> dict[tuple[str, int], float]:
        rows = self.catalog.db.execute(
            "SELECT code, year, population FROM populations WHERE indicator = ? AND level = ? "
            f"AND code IN ({','.join('?' * len(codes))})",
            [self.indicator["id"], level, *codes],
        ).fetchall()
        return {(r[0], r[1]): r[2] for r in rows}


def _num(value: float | None) -> float:
    return math.nan if value is None else float(value)
