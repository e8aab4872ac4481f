"""Emergency contacts per language, in order: kept in Redis (hc:contacts, one JSON list per
language), seeded from config/emergency_contacts.toml the first time a language is read.

Each stored contact carries an internal `id` so admins edit and reorder the right one even
when someone else changed the list meanwhile; the protocol's Contact shape has no id.
"""

from __future__ import annotations

import json
import secrets
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from helpchat import contact_hours
from helpchat.store import keys
from helpchat.store.connection import Redis
from helpchat.store.optimistic import update_json

CONTACT_FIELDS = ("name", "phone", "url", "text", "hours", "description")
LANGUAGES = ("nl", "en")
MAX_CONTACTS = 30
T = TypeVar("T")
Entries = list[dict[str, Any]]  # (the class below has a method named `list`)


def contact_payload(raw: dict[str, Any]) -> dict[str, Any]:
    """The PROTOCOL.md Contact shape: every field present, null when unset."""
    contact: dict[str, Any] = {f: (str(raw[f]) if raw.get(f) else None) for f in CONTACT_FIELDS}
    contact["name"] = str(raw.get("name", ""))
    contact["urgent"] = bool(raw.get("urgent", False))
    contact["open"] = contact_hours.normalize(raw.get("open"))
    return contact


def new_contact_id() -> str:
    return secrets.token_hex(6)


def with_id(contact: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(contact.get("id") or new_contact_id()), **contact_payload(contact)}


def load_contacts_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    """{"nl": [Contact, ...], "en": [...]}; raises ValueError on a file without contacts."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    result = {lang: [contact_payload(c) for c in data.get(lang, [])] for lang in LANGUAGES}
    if not result["nl"]:
        raise ValueError(f"{path}: no [[nl]] contacts: the widget must always have some to show")
    if not result["en"]:
        result["en"] = result["nl"]
    return result


class Contacts:
    """Read by availability and the widget (`list`), edited by admins (`entries`, `update`)."""

    def __init__(self, client: Redis, seed: dict[str, list[dict[str, Any]]]) -> None:
        self._redis = client
        self._seed = seed
        self._parsed: dict[str, tuple[str, Entries]] = {}  # lang -> (stored JSON, contacts)

    async def list(self, lang: str) -> Entries:
        """Protocol Contacts in the configured order; never empty (Dutch as a last resort).
        Read at every call, so an admin's edit on any process shows at once; parsed again only
        when the stored text changed (every arrival's availability asks). Shared: not to be
        changed by the caller."""
        code = lang if lang in LANGUAGES else "nl"
        entries = self._protocol(code, await self._stored(code))
        if not entries and code != "nl":
            entries = self._protocol("nl", await self._stored("nl"))
        return entries or self._seed["nl"]

    async def entries(self, lang: str) -> Entries:
        """The stored contacts with their ids, seeding the language on first use."""
        return [with_id(item) for item in json.loads(await self._stored(lang))]

    async def _stored(self, lang: str) -> str:
        """The language's stored JSON list, seeded on first use."""
        if lang not in LANGUAGES:
            raise ValueError(f"lang: {lang!r}")
        raw = await self._redis.hget(keys.CONTACTS, lang)
        if raw is None:
            await self._seed_language(lang)
            raw = await self._redis.hget(keys.CONTACTS, lang)
        return str(raw or "[]")

    def _protocol(self, lang: str, stored: str) -> Entries:
        last = self._parsed.get(lang)
        if last is None or last[0] != stored:
            last = self._parsed[lang] = stored, [contact_payload(c) for c in json.loads(stored)]
        return last[1]

    async def _seed_language(self, lang: str) -> None:
        seeded = [with_id(c) for c in self._seed.get(lang) or self._seed["nl"]]
        # HSETNX: of two processes seeding at once, the first one's ids stay.
        await self._redis.hsetnx(keys.CONTACTS, lang, json.dumps(seeded, ensure_ascii=False))

    async def update(self, lang: str,
                     change: Callable[[Entries], tuple[Entries, T]]) -> T:
        """Apply `change(entries) -> (new entries, result)` atomically. Raising in `change`
        saves nothing; an empty result is refused (the widget must always show some)."""
        await self.entries(lang)  # seeded before the first edit

        def apply(current: Any) -> tuple[Entries, T]:
            new, result = change([with_id(item) for item in current or []])
            if not new:
                raise ValueError("contacts: a language needs at least one contact")
            if len(new) > MAX_CONTACTS:
                raise ValueError(f"contacts: at most {MAX_CONTACTS} per language")
            return [with_id(item) for item in new], result

        return await update_json(self._redis, keys.CONTACTS, lang, apply)
