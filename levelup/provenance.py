"""Per-file provenance catalogues (sources.toml): origin, licence, attribution of shipped data."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from levelup.errors import CatalogueError


@dataclass(frozen=True, slots=True)
class Licence:
    """A licence a shipped file is published under."""

    id: str
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One shipped data file with where it came from and how it must be attributed."""

    path: str
    title: str
    publisher: str
    licence: Licence
    attribution: str
    origin: str
    sha256: str
    url: str = ""
    vintage: str = ""
    notes: str = ""


@dataclass(frozen=True, slots=True)
class SourceCatalogue:
    """All files listed in one sources.toml, keyed by their path relative to `root`."""

    root: Path
    files: dict[str, SourceFile]

    def get(self, path: str) -> SourceFile:
        """Return the entry for `path` or raise CatalogueError."""
        try:
            return self.files[path]
        except KeyError:
            raise CatalogueError(f"{self.root / 'sources.toml'}: no entry for {path!r}") from None

    def verify(self, path: str) -> bool:
        """True when the file on disk still has the recorded sha256."""
        digest = hashlib.sha256((self.root / path).read_bytes()).hexdigest()
        return digest == self.get(path).sha256


def load_sources(root: Path) -> SourceCatalogue:
    """Load `root/sources.toml`, resolving licences and attribution templates."""
    toml_path = root / "sources.toml"
    try:
        raw = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{toml_path}: {exc}") from exc
    licences = {
        key: Licence(id=key, title=value["title"], url=value["url"])
        for key, value in raw.get("licences", {}).items()
    }
    templates: dict[str, str] = raw.get("attributions", {})
    files: dict[str, SourceFile] = {}
    for entry in raw.get("file", []):
        try:
            template = templates[entry["attribution"]]
            files[entry["path"]] = SourceFile(
                path=entry["path"],
                title=entry["title"],
                publisher=entry["publisher"],
                licence=licences[entry["licence"]],
                attribution=template.format(year=entry.get("year", "")),
                origin=entry["origin"],
                sha256=entry["sha256"],
                url=entry.get("url", ""),
                vintage=entry.get("vintage", ""),
                notes=entry.get("notes", ""),
            )
        except KeyError as exc:
            raise CatalogueError(f"{toml_path}: entry {entry.get('path')!r} lacks {exc}") from exc
    return SourceCatalogue(root=root, files=files)


def merge_attributions(texts: list[str]) -> str:
    """Join attribution texts, keeping each distinct sentence once, in first-seen order."""
    sentences: dict[str, None] = {}
    for text in texts:
        for sentence in text.replace(". ", ".\n").splitlines():
            if sentence.strip():
                sentences.setdefault(sentence.strip(), None)
    return " ".join(sentences)
