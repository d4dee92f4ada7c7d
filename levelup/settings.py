"""Settings from the environment (prefix LEVELUP_), built once and passed down explicitly."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from levelup import db


class Settings(BaseSettings):
    """Every levelup setting; read from LEVELUP_* environment variables or a .env file."""

    model_config = SettingsConfigDict(env_prefix="LEVELUP_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("build"), description="Where builds are written and served from.")
    host: str = Field("127.0.0.1", description="Address the server binds to.")
    port: int = Field(8000, ge=0, le=65535, description="Port the server listens on.")
    workers: int = Field(1, ge=1, le=64, description="Number of server worker processes.")
    server: Literal["granian", "uvicorn"] = Field(
        "granian",
        description="HTTP server running the workers: granian (default; about twice uvicorn's "
        "tiles per second with one worker) or uvicorn.",
    )
    cors_origin: str = Field(
        "*", description="Value of Access-Control-Allow-Origin on data routes."
    )
    tile_max_age: int = Field(3600, ge=0, description="Cache-Control max-age for tiles, seconds.")
    api_max_age: int = Field(
        0,
        ge=0,
        description="Cache-Control max-age of JSON, styles, extracts and downloads, seconds "
        "(0: clients revalidate every time, cheap with the ETag, so a new build shows at once).",
    )
    extract_feature_limit: int = Field(
        20000, ge=1, description="Most features one GeoJSON extract may return (413 beyond)."
    )
    max_upload_mb: float = Field(20.0, gt=0, description="Largest user upload accepted, megabytes.")
    uploads: bool | None = Field(
        None,
        description="Let web users add and delete their own data (default: only when the "
        "server listens on 127.0.0.1; switch off on a public server).",
    )
    upload_timeout: float = Field(
        600.0, gt=0, description="Seconds an upload's preview or build may take."
    )
    public_url: str | None = Field(
        None, description="Base URL clients use (e.g. behind a proxy); default: from the request."
    )
    tile_cache_tiles: int = Field(
        20000,
        ge=0,
        description="Tiles whose answers are kept in memory per worker, each with up to two"
        " copies (gzip and not); 0 disables the cache.",
    )
    reload_interval: float = Field(
        2.0, ge=0, description="Seconds between checks for a newer build to serve."
    )
    indicators: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Build only these shipped indicators (comma-separated ids; default: all). "
        "Indicators their derived measures need are read too.",
    )

    @field_validator("indicators", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """Accept 'a,b,c' as well as a JSON list."""
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @property
    def db_path(self) -> Path:
        """Path of the joined-data SQLite database."""
        return db.db_path(self.data_dir)

    @property
    def tiles_dir(self) -> Path:
        """Directory holding one MBTiles file per tileset."""
        return self.data_dir / "tiles"
