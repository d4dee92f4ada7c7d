"""Analysis endpoints: inequality within countries, named groups, and comparisons of areas,
groups and countries on one indicator (groups aggregated properly, on the fly)."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import defaultdict
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from levelup.errors import BadRequestError, NotFoundError
from levelup.settings import Settings
from server import params, queries
from server.api import find_indicator
from server.catalog import Catalog, DataStore
from server.compare import Comparer, Refused
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
    "of London weigh as much as Birmingham. The European Union line takes every region of its "
    "member states together, against the Union's own figure where Eurostat publishes one."
)
UNION_NAMES = {  # the EU as one more "country": every region of its member states together
    "EU27_2020": "European Union (27 countries), all regions",
    "EU28": "European Union (28 countries), all regions",
}
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
        available = catalog.rows(queries.INEQUALITY_SERIES)
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
            queries.INEQUALITY_ROWS,
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
        names = dict(catalog.db.execute(queries.area_names(len(countries)), countries).fetchall())
        names.setdefault("UK", "United Kingdom")
        names.update(UNION_NAMES)
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
            for r in catalog.rows(queries.GROUPS)
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
        """Series of one indicator for areas, groups and countries, side by side; items that
        cannot be shown for this indicator are listed under `refused` with the reason."""
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
        shown, refused = [], []
        for item in items:
            try:
                shown.append(data.item(item, level))
            except Refused as exc:
                refused.append({"item": item, "label": exc.label, "reason": exc.reason})
        return JSONResponse(
            {
                "indicator": entry["id"],
                "variant": variant,
                "title": entry["title"],
                "unit": next(v["unit"] for v in entry["variants"] if v["id"] == variant),
                "decimals": entry["decimals"],
                "polarity": entry["polarity"],
                "items": shown,
                "refused": refused,
            }
        )


def _finite(value: Any) -> Any:
    return None if isinstance(value, float) and not math.isfinite(value) else value
