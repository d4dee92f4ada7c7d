"""The one pattern every id follows (indicators, variants, indexes, groups, tilesets' parts)."""

from __future__ import annotations

import re

SLUG_PATTERN = r"[a-z0-9]+(?:-[a-z0-9]+)*"
"""Lower-case letters and digits in words joined by single hyphens (a regex fragment)."""

SLUG = re.compile(rf"^{SLUG_PATTERN}$")
"""A whole id that is a slug."""

SLUG_SCHEMA = f"^{SLUG_PATTERN}$"
"""The same pattern for JSON Schema and OpenAPI documents."""

MAX_USER_ID = 60
"""The longest id a user may choose (it names a folder)."""


def valid_user_id(text: str) -> bool:
    """Whether `text` can name a user's indicator or index: a slug of at most 60 characters."""
    return bool(SLUG.match(text)) and len(text) <= MAX_USER_ID
