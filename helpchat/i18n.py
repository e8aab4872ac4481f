"""Message catalogs: helpchat/locale/<lang>/*.json merged per language (Dutch is the default).

Each area (core, widget, console, admin) keeps its own catalog file so they can grow apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LOCALE_DIR = Path(__file__).parent / "locale"


def normalize_language(value: Any, default: str = DEFAULT_LANGUAGE) -> str:
    if isinstance(value, str):
        short = value.strip().lower()[:2]
        if short in LANGUAGES:
            return short
    return default


@cache
def catalog(lang: str) -> Mapping[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / lang).glob("*.json")):
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def translate(lang: str, key: str, **params: Any) -> str:
    """The text for `key` in `lang`, falling back to Dutch, then to the key itself."""
    text = catalog(normalize_language(lang)).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    return text.format(**params) if params else text


def catalog_with_prefix(lang: str, prefix: str) -> dict[str, str]:
    """The strings a page's JavaScript needs, e.g. everything under "widget."."""
    base = {k: v for k, v in catalog(DEFAULT_LANGUAGE).items() if k.startswith(prefix)}
    base.update(
        {k: v for k, v in catalog(normalize_language(lang)).items() if k.startswith(prefix)}
    )
    return base
