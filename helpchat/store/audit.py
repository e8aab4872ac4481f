"""Audit log of admin changes: who changed what and when. Never chat content, never passwords
or link tokens; capped so it cannot grow without bound."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from helpchat.store import keys
from helpchat.store.connection import Redis

MAX_DETAIL = 300


@dataclass(frozen=True)
class AuditEntry:
    ts_ms: int
    actor_id: str  # "" for the first-admin setup link or the command line
    actor_name: str
    action: str  # e.g. "roster.shift_added", "counselor.disabled"
    target: str  # what was changed: a shift label, a counselor name, a setting name
    detail: str = ""


class AuditLog:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def record(self, entry: AuditEntry) -> None:
        data = asdict(entry)
        data["detail"] = entry.detail[:MAX_DETAIL]
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(keys.AUDIT, json.dumps(data, ensure_ascii=False))
            pipe.ltrim(keys.AUDIT, 0, keys.AUDIT_CAP - 1)
            await pipe.execute()

    async def recent(self, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
        """Newest first."""
        rows = await self._redis.lrange(keys.AUDIT, offset, offset + limit - 1)
        return [AuditEntry(**json.loads(row)) for row in rows]

    async def count(self) -> int:
        return int(await self._redis.llen(keys.AUDIT))
