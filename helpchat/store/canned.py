"""Canned responses per language: seeded from config/canned_responses.toml, edited by admins."""

from __future__ import annotations

import builtins
import json
import tomllib
from pathlib import Path

from helpchat.store import keys
from helpchat.store.connection import Redis

MAX_ITEMS = 100
MAX_CHARS = 1000


def load_canned_file(path: Path) -> dict[str, list[str]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return {lang: [str(item) for item in data.get(lang, [])] for lang in ("nl", "en")}


class CannedResponses:
    def __init__(self, client: Redis, seed: dict[str, list[str]]) -> None:
        self._redis = client
        self._seed = seed

    async def list(self, lang: str) -> list[str]:
        stored = await self._redis.hget(keys.CANNED, lang)
        return list(json.loads(stored)) if stored else list(self._seed.get(lang, []))

    async def replace(self, lang: str, items: builtins.list[str]) -> None:
        cleaned = [item.strip() for item in items if item.strip()]
        if len(cleaned) > MAX_ITEMS or any(len(item) > MAX_CHARS for item in cleaned):
            raise ValueError(f"at most {MAX_ITEMS} responses of at most {MAX_CHARS} characters")
        await self._redis.hset(keys.CANNED, lang, json.dumps(cleaned))
