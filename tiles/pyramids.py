"""The on-disk cache of geometry pyramids: cut once per boundary set, shared by all workers.

The boundaries come in from the caller (a registry and a loader), so this module reads no
boundary files of its own."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from boundaries.areas import Areas
from boundaries.registry import BoundarySet, Registry
from tiles.cutter import build_pyramid, choose_maxzoom

LoadAreas = Callable[..., Areas]
"""Loads a boundary set's areas: load(spec) and, for its detailed geometry, load(spec,
detail=True) (boundaries.reading.load_areas; picklable, as workers call it)."""


def cut(spec: BoundarySet, target: Path, load: LoadAreas) -> Path:
    """Load a boundary set, cut its pyramid and save it to `target`."""
    areas = load(spec)
    detail = load(spec, detail=True) if spec.detail else None
    maxzoom = choose_maxzoom(detail if detail is not None else areas, spec.maxzoom)
    pyramid = build_pyramid(
        areas,
        maxzoom=maxzoom,
        detail=detail,
        detail_from=spec.detail.from_zoom if spec.detail else None,
    )
    pyramid.save(target)
    return target


class PyramidCache:
    """Pyramid files named by a digest of the set's definition, its source files and the tile
    format (tiles.format)."""

    def __init__(self, root: Path, format_digest: str, registry: Registry, load: LoadAreas) -> None:
        self.root, self.format_digest = root, format_digest
        self.registry, self.load = registry, load

    def path(self, spec: BoundarySet) -> Path:
        """Where the pyramid of `spec` is (or will be) cached."""
        registry = self.registry
        files = [spec.file] + ([spec.detail.file] if spec.detail else [])
        digest = hashlib.sha256(repr((spec, self.format_digest)).encode())
        for file in files:
            digest.update(registry.sources.get(file).sha256.encode())
        return self.root / f"{spec.id}-{digest.hexdigest()[:16]}.pyramid"

    def ensure(
        self, set_ids: list[str], *, workers: int = 1, progress: bool = False
    ) -> dict[str, Path]:
        """Cut every missing pyramid (in parallel) and return the path of each."""
        registry = self.registry
        paths = {s: self.path(registry.get(s)) for s in set_ids}
        missing = [s for s, p in paths.items() if not p.is_file()]
        self.root.mkdir(parents=True, exist_ok=True)
        bar = tqdm(total=len(missing), desc="geometry", unit="set", disable=not progress)
        if workers > 1 and len(missing) > 1:
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                specs = [registry.get(s) for s in missing]
                targets = [paths[s] for s in missing]
                for _ in pool.map(cut, specs, targets, [self.load] * len(missing)):
                    bar.update()
        else:
            for set_id in missing:
                cut(registry.get(set_id), paths[set_id], self.load)
                bar.update()
        bar.close()
        for stale in self.root.glob("*.pyramid"):
            if stale not in paths.values() and stale.stem.rsplit("-", 1)[0] in paths:
                stale.unlink()
        return paths
