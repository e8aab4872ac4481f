"""Emergency contacts per language, seeded from config/emergency_contacts.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

CONTACT_FIELDS = ("name", "phone", "url", "text", "hours", "description")


def contact_payload(raw: dict[str, Any]) -> dict[str, Any]:
    """The PROTOCOL.md Contact shape: every field present, null when unset."""
    contact: dict[str, Any] = {f: (str(raw[f]) if raw.get(f) else None) for f in CONTACT_FIELDS}
    contact["name"] = str(raw.get("name", ""))
    contact["urgent"] = bool(raw.get("urgent", False))
    return contact


def load_contacts_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    """{"nl": [Contact, ...], "en": [...]}; raises ValueError on a file without contacts."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    result = {lang: [contact_payload(c) for c in data.get(lang, [])] for lang in ("nl", "en")}
    if not result["nl"]:
        raise ValueError(f"{path}: no [[nl]] contacts: the widget must always have some to show")
    if not result["en"]:
        result["en"] = result["nl"]
    return result


class Contacts:
    """Read side used by availability and the widget; the admin issue moves them into Redis."""

    def __init__(self, by_language: dict[str, list[dict[str, Any]]]) -> None:
        self._by_language = by_language

    async def list(self, lang: str) -> list[dict[str, Any]]:
        return list(self._by_language.get(lang) or self._by_language["nl"])
