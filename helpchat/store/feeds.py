"""Counselors' private iCalendar feed links. The link's token is an HMAC of the counselor id
and a generation number, so nothing secret is stored: renewing bumps the generation (the old
link dies), revoking turns it negative (no link works, and a later renewal never brings an old
link back)."""

from __future__ import annotations

from helpchat.store import keys
from helpchat.store.connection import Redis


class CalendarFeeds:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def _raw(self, counselor_id: str) -> int:
        return int(await self._redis.get(keys.ical_generation(counselor_id)) or 0)

    async def generation(self, counselor_id: str) -> int | None:
        """The live generation, or None while the counselor has no feed link."""
        value = await self._raw(counselor_id)
        return value if value > 0 else None

    async def renew(self, counselor_id: str) -> int:
        generation = abs(await self._raw(counselor_id)) + 1
        await self._redis.set(keys.ical_generation(counselor_id), generation)
        return generation

    async def revoke(self, counselor_id: str) -> None:
        value = await self._raw(counselor_id)
        if value > 0:
            await self._redis.set(keys.ical_generation(counselor_id), -value)
