"""The on-disk cache of geometry pyramids: cut once per boundary set, shared by all workers."""

from __future__ import annotations

import hashlib
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from tqdm import tqdm

from boundaries.load import load_boundaries
from boundaries.registry import BoundarySet, default_registry
from tiles.cutter import build_pyramid, choose_maxzoom


def cut(spec: BoundarySet, target: Path) -> Path:
    """Load a boundary set, cut its pyramid and save it to `target`."""
    frame = load_boundaries(spec)
    detail = load_boundaries(spec, detail=True) if spec.detail else None
    maxzoom = choose_maxzoom(detail if detail is not None else frame, spec.maxzoom)
    pyramid = build_pyramid(
        frame,
        maxzoom=maxzoom,
        detail=detail,
        detail_from=spec.detail.from_zoom if spec.detail else None,
    )
    pyramid.save(target)
    return target


class PyramidCache:
    """Pyramid files named by a digest of the set's definition, its source files and the tile
    format (tiles.format)."""

    def __init__(self, root: Path, format_digest: str) -> None:
        self.root, self.format_digest = root, format_digest

    def path(self, spec: BoundarySet) -> Path:
        """Where the pyramid of `spec` is (or will be) cached."""
        registry = default_registry()
        files = [spec.file] + ([spec.detail.file] if spec.detail else [])
        digest = hashlib.sha256(repr((spec, self.format_digest)).encode())
        for file in files:
            digest.update(registry.sources.get(file).sha256.encode())
        return self.root / f"{spec.id}-{digest.hexdigest()[:16]}.pyramid"

    def ensure(
        self, set_ids: list[str], *, workers: int = 1, progress: bool = False
    ) -> dict[str, Path]:
        """Cut every missing pyramid (in parallel) and return the path of each."""
        registry = default_registry()
        paths = {s: self.path(registry.get(s)) for s in set_ids}
        missing = [s for s, p in paths.items() if not p.is_file()]
        self.root.mkdir(parents=True, exist_ok=True)
        bar = tqdm(total=len(missing), desc="geometry", unit="set", disable=not progress)
        if workers > 1 and len(missing) > 1:
            with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
                for _ in pool.map(
                    cut, [registry.get(s) for s in missing], [paths[s] for s in missing]
                ):
                    bar.update()
        else:
            for set_id in missing:
                cut(registry.get(set_id), paths[set_id])
                bar.update()
        bar.close()
        for stale in self.root.glob("*.pyramid"):
            if stale not in paths.values() and stale.stem.rsplit("-", 1)[0] in paths:
                stale.unlink()
        return paths
