"""Counselor accounts, duty state, active chats and open sockets."""

from __future__ import annotations

import time

from helpchat.store import keys
from helpchat.store.connection import Redis
from helpchat.store.models import Counselor

DUTY_STATES = ("on", "pause", "off")
# How long `recent` may answer from memory (seconds): a console's every event needs its account.
RECENT_S = 1.0


def _counselor(counselor_id: str, data: dict[str, str]) -> Counselor:
    return Counselor(
        id=counselor_id,
        name=data["name"],
        roles=tuple(r for r in data.get("roles", "counselor").split(",") if r),
        max_chats=int(data.get("max_chats") or 2),
        disabled=data.get("disabled") == "1",
        password_hash=data.get("pw", ""),
        display_name=data.get("display", ""),
        display_confirmed=data.get("display_ok") == "1",
    )


class Counselors:
    def __init__(self, client: Redis) -> None:
        self._redis = client
        self._recent: dict[str, tuple[float, Counselor]] = {}

    async def create(self, counselor_id: str, *, name: str, roles: tuple[str, ...],
                     max_chats: int, password_hash: str, now_ms: int,
                     display_name: str = "") -> bool:
        """False when the name is taken (case-insensitively)."""
        if not await self._redis.hsetnx(keys.COUNSELORS, name.lower(), counselor_id):
            return False
        await self._redis.hset(keys.counselor(counselor_id), mapping={
            "name": name, "roles": ",".join(roles), "max_chats": max_chats,
            "pw": password_hash, "disabled": "0", "created_ms": now_ms,
            "display": display_name, "display_ok": "1" if display_name else "0",
        })
        return True

    async def set_display_name(self, counselor_id: str, display_name: str) -> None:
        self._recent.pop(counselor_id, None)
        await self._redis.hset(keys.counselor(counselor_id),
                               mapping={"display": display_name, "display_ok": "1"})

    async def get(self, counselor_id: str) -> Counselor | None:
        data = await self._redis.hgetall(keys.counselor(counselor_id))
        return _counselor(counselor_id, data) if data.get("name") else None

    async def recent(self, counselor_id: str, *, refresh: bool = False) -> Counselor | None:
        """The account as read at most RECENT_S ago (refresh: read now). For the check on
        every console event: a change made through another process shows within a second, and
        the changes that must act at once (disabled, role, password reset) close the account's
        sockets, whose reconnect reads it afresh."""
        now = time.monotonic()
        cached = self._recent.get(counselor_id)
        if cached and cached[0] > now and not refresh:
            return cached[1]
        counselor = await self.get(counselor_id)
        if len(self._recent) > 10_000:  # accounts, not visitors: only a bound against surprises
            self._recent.clear()
        if counselor:
            self._recent[counselor_id] = (now + RECENT_S, counselor)
        return counselor

    async def many_recent(self, counselor_ids: list[str]) -> list[Counselor]:
        """`many`, from the same memory as `recent`: what every arrival's availability reads
        of each counselor on duty (their chat places), which an admin rarely changes."""
        now = time.monotonic()
        fresh = {cid: hit[1] for cid in counselor_ids
                 if (hit := self._recent.get(cid)) and hit[0] > now}
        missing = [cid for cid in counselor_ids if cid not in fresh]
        for counselor in await self.many(missing) if missing else []:
            self._recent[counselor.id] = (now + RECENT_S, counselor)
            fresh[counselor.id] = counselor
        return [fresh[cid] for cid in counselor_ids if cid in fresh]

    async def by_name(self, name: str) -> Counselor | None:
        counselor_id = await self._redis.hget(keys.COUNSELORS, name.strip().lower())
        return await self.get(counselor_id) if counselor_id else None

    async def many(self, counselor_ids: list[str]) -> list[Counselor]:
        """The existing accounts among `counselor_ids`, in one round trip."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for counselor_id in counselor_ids:
                pipe.hgetall(keys.counselor(counselor_id))
            rows = await pipe.execute()
        return [_counselor(counselor_id, data)
                for counselor_id, data in zip(counselor_ids, rows, strict=True)
                if data.get("name")]

    async def all(self) -> list[Counselor]:
        ids: list[str] = list((await self._redis.hgetall(keys.COUNSELORS)).values())
        return sorted(await self.many(ids), key=lambda c: c.name.lower())

    async def update(self, counselor_id: str, **fields: str | int) -> None:
        self._recent.pop(counselor_id, None)
        await self._redis.hset(keys.counselor(counselor_id), mapping=fields)

    async def set_password_hash(self, counselor_id: str, password_hash: str) -> None:
        self._recent.pop(counselor_id, None)
        await self._redis.hset(keys.counselor(counselor_id), "pw", password_hash)

    # duty -----------------------------------------------------------------------------------
    async def duty(self, counselor_id: str) -> str:
        return str(await self._redis.hget(keys.DUTY, counselor_id) or "off")

    async def set_duty(self, counselor_id: str, state: str) -> None:
        if state == "off":
            await self._redis.hdel(keys.DUTY, counselor_id)
        else:
            await self._redis.hset(keys.DUTY, counselor_id, state)

    async def on_duty(self) -> dict[str, str]:
        """counselor id -> "on" | "pause" for everyone not off duty."""
        return dict(await self._redis.hgetall(keys.DUTY))

    async def active_chats(self, counselor_id: str) -> set[str]:
        return set(await self._redis.smembers(keys.counselor_chats(counselor_id)))

    async def active_chat_counts(self, counselor_ids: list[str]) -> dict[str, int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for counselor_id in counselor_ids:
                pipe.scard(keys.counselor_chats(counselor_id))
            counts = await pipe.execute()
        return dict(zip(counselor_ids, (int(c) for c in counts), strict=True))
