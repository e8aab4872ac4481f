"""The duty roster, kept as one JSON document under hc:roster: roster.roster_to_dict's fields
plus "requests" (roster_signup's give-away and swap requests). One document, so a request
accepted and the roster change it makes are one atomic write, and two counselors claiming the
last place at once cannot both get it (update_json retries under WATCH)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from helpchat.roster import Roster, parse_roster, roster_to_dict
from helpchat.roster_signup import ShiftRequest, parse_request, request_to_dict
from helpchat.store import keys
from helpchat.store.connection import Redis
from helpchat.store.optimistic import update_json

log = logging.getLogger(__name__)
T = TypeVar("T")
REQUESTS = "requests"

Requests = tuple[ShiftRequest, ...]


def _split(data: Any) -> tuple[Roster, Requests]:
    fields = dict(data) if data else {}
    requests = tuple(parse_request(r) for r in fields.pop(REQUESTS, []))
    return (parse_roster(fields) if fields else Roster()), requests


class RosterStore:
    def __init__(self, client: Redis) -> None:
        self._redis = client
        # Availability asks for the roster every few seconds: parse only when the text changed.
        self._cache: tuple[str, Roster, Requests] | None = None

    async def _read(self) -> tuple[Roster, Requests] | None:
        raw = await self._redis.get(keys.ROSTER)
        if not raw:
            return None
        if self._cache and self._cache[0] == raw:
            return self._cache[1], self._cache[2]
        try:
            roster, requests = _split(json.loads(raw))
        except ValueError:
            log.exception("stored roster is invalid; behaving as if there were none")
            return None
        self._cache = (raw, roster, requests)
        return roster, requests

    async def load(self) -> Roster | None:
        """The saved roster, or None when none was ever saved (or it cannot be read)."""
        found = await self._read()
        return found[0] if found else None

    async def requests(self) -> Requests:
        """The give-away and swap requests, oldest first."""
        found = await self._read()
        return found[1] if found else ()

    async def update(self, change: Callable[[Roster], tuple[Roster, T]]) -> T:
        """Apply `change(current) -> (new roster, result)` atomically; an empty Roster stands
        in for one never saved. ValueError from `change` (or the new roster) saves nothing."""

        def keep_requests(roster: Roster, requests: Requests) -> tuple[Roster, Requests, T]:
            new, result = change(roster)
            return new, requests, result

        return await self.signup(keep_requests)

    async def signup(self, change: Callable[[Roster, Requests], tuple[Roster, Requests, T]]
                     ) -> T:
        """Like update, with the requests: `change(roster, requests) -> (roster, requests,
        result)`, all written together or (on ValueError) not at all."""

        def apply(current: Any) -> tuple[dict[str, object], T]:
            roster, requests = _split(current)
            new, new_requests, result = change(roster, requests)
            return {**roster_to_dict(new),
                    REQUESTS: [request_to_dict(r) for r in new_requests]}, result

        return await update_json(self._redis, keys.ROSTER, None, apply)
