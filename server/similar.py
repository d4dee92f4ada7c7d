"""Similar areas and area types: an area's nearest neighbours on each set of measures, and the
clusters (k, silhouette, sizes, what sets each apart, members) of a set and year."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from levelup.errors import BadRequestError, NotFoundError
from server import params, queries
from server.catalog import Catalog, DataStore


def feature_sets(catalog: Catalog) -> list[dict[str, Any]]:
    """The sets areas are compared on, each with its measures and years."""
    years: dict[str, list[int]] = {}
    for row in catalog.rows(queries.NEIGHBOUR_SETS):
        years.setdefault(row["set"], []).append(row["year"])
    return [
        {**row, "features": json.loads(row["features"]), "years": years.get(row["id"], [])}
        for row in catalog.rows(queries.FEATURE_SETS)
    ]


def _set_param(catalog: Catalog, request: Request) -> dict[str, Any]:
    sets = feature_sets(catalog)
    if not sets:
        raise NotFoundError("no similar-area sets in this build")
    chosen = params.choice(request, "set", [s["id"] for s in sets], sets[0]["id"])
    return next(s for s in sets if s["id"] == chosen)


class Similar:
    """The similar-area and area-type endpoints, bound to a data store."""

    def __init__(self, store: DataStore) -> None:
        self.store = store

    async def sets(self, request: Request) -> Response:
        """The sets of measures areas are compared on."""
        params.allowed(request)
        return JSONResponse({"sets": feature_sets(self.store.current())})

    async def area(self, request: Request) -> Response:
        """An area's nearest neighbours on one set and year, with distances and its type."""
        params.allowed(request, "set", "year", "count")
        catalog = self.store.current()
        code = request.path_params["code"]
        if not params.CODE.match(code):
            raise BadRequestError(f"{params.shown(code)} is not an area code")
        chosen = _set_param(catalog, request)
        count = params.integer(request, "count", 5, 1, 10)
        years = [
            r["year"]
            for r in catalog.rows(
                queries.NEIGHBOUR_YEARS,
                chosen["id"],
                code,
            )
        ]
        if not years:
            raise NotFoundError(f"{code} has no similar areas on the {chosen['id']!r} set")
        year = params.year(request, "year", years, years[-1])
        return JSONResponse(similar_areas(catalog, chosen, code, year, count) | {"years": years})

    async def clusters(self, request: Request) -> Response:
        """The area types of one set and year: how k was chosen, sizes, descriptions, members."""
        params.allowed(request, "set", "year")
        catalog = self.store.current()
        chosen = _set_param(catalog, request)
        years = [r["year"] for r in catalog.rows(queries.CLUSTERING_YEARS, chosen["id"])]
        if not years:
            raise NotFoundError(f"no area types for the {chosen['id']!r} set")
        year = params.year(request, "year", years, years[-1])
        return JSONResponse(clusters_of(catalog, chosen, year) | {"years": years})


def similar_areas(
    catalog: Catalog, chosen: dict[str, Any], code: str, year: int, count: int
) -> dict[str, Any]:
    """The `count` nearest areas to `code` and the area's type (see Similar.area)."""
    rows = catalog.rows(
        queries.NEIGHBOURS,
        chosen["id"],
        year,
        code,
        count,
    )
    kind = catalog.rows(
        queries.AREA_TYPE,
        chosen["id"],
        code,
        year,
    )
    cluster = None
    if kind:
        number = int(kind[0]["value"])
        found = catalog.rows(
            queries.CLUSTER,
            chosen["id"],
            year,
            number,
        )
        cluster = found[0] if found else {"cluster": number}
    name = catalog.rows(queries.AREA_NAME, code)
    return {
        "code": code,
        "name": name[0]["name"] if name else None,
        "set": chosen,
        "year": year,
        "distance": "Euclidean distance between the areas' standardised measures (standard "
        "deviations; 0 = identical); pairs missing a measure are compared on the rest, scaled up",
        "neighbours": rows,
        "cluster": cluster,
    }


def clusters_of(catalog: Catalog, chosen: dict[str, Any], year: int) -> dict[str, Any]:
    """Every area type of one set and year, with its members (see Similar.clusters)."""
    head = catalog.rows(
        queries.CLUSTERING,
        chosen["id"],
        year,
    )[0]
    members: dict[int, list[dict[str, Any]]] = {}
    for row in catalog.rows(
        queries.CLUSTER_MEMBERS,
        chosen["id"],
        year,
    ):
        members.setdefault(int(row["value"]), []).append({"code": row["code"], "name": row["name"]})
    clusters = [
        {**row, "features": json.loads(row["features"]), "members": members.get(row["cluster"], [])}
        for row in catalog.rows(
            queries.CLUSTERS,
            chosen["id"],
            year,
        )
    ]
    return {
        "set": chosen,
        "year": year,
        "method": "k-means (scikit-learn, fixed seed) on the standardised measures; k is the "
        "one from 3 to 10 with the highest mean silhouette width among those whose smallest "
        "type has at least 3 areas; type 1 is the largest",
        "k": head["k"],
        "silhouette": head["silhouette"],
        "silhouette_by_k": json.loads(head["scores"]),
        "clusters": clusters,
    }
