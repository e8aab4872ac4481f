"""The duty roster, kept as one JSON document (roster.roster_to_dict) under hc:roster."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from helpchat.roster import Roster, parse_roster, roster_to_dict
from helpchat.store import keys
from helpchat.store.connection import Redis
from helpchat.store.optimistic import update_json

log = logging.getLogger(__name__)
T = TypeVar("T")


class RosterStore:
    def __init__(self, client: Redis) -> None:
        self._redis = client
        # Availability asks for the roster every few seconds: parse only when the text changed.
        self._cache: tuple[str, Roster] | None = None

    async def load(self) -> Roster | None:
        """The saved roster, or None when none was ever saved (or it cannot be read)."""
        raw = await self._redis.get(keys.ROSTER)
        if not raw:
            return None
        if self._cache and self._cache[0] == raw:
            return self._cache[1]
        try:
            roster = parse_roster(json.loads(raw))
        except ValueError:
            log.exception("stored roster is invalid; behaving as if there were none")
            return None
        self._cache = (raw, roster)
        return roster

    async def update(self, change: Callable[[Roster], tuple[Roster, T]]) -> T:
        """Apply `change(current) -> (new roster, result)` atomically; an empty Roster stands
        in for one never saved. ValueError from `change` (or the new roster) saves nothing."""

        def apply(current: Any) -> tuple[dict[str, object], T]:
            roster = parse_roster(current) if current else Roster()
            new, result = change(roster)
            return roster_to_dict(new), result

        return await update_json(self._redis, keys.ROSTER, None, apply)
