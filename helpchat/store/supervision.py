"""What supervisors see beside the chats: whispers, help requests and debrief requests.

Whispers live in their own list, never in the conversation's message stream, so nothing that
reads the visitor's stream (message delivery, `sync`) can ever hand one to a visitor.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from helpchat.store import keys
from helpchat.store.connection import Redis


@dataclass(frozen=True)
class Whisper:
    id: str
    conversation_id: str
    text: str
    from_name: str
    ts_ms: int
    # or "handover" (a colleague's note with a transfer), "takeover" (a supervisor's with a
    # take-over)
    kind: str = "whisper"


@dataclass(frozen=True)
class HelpRequest:
    conversation_id: str
    counselor_id: str
    ts_ms: int


class Supervision:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    # whispers -----------------------------------------------------------------------------
    async def add_whisper(self, cid: str, text: str, from_name: str, now_ms: int,
                          kind: str = "whisper") -> Whisper:
        """A whisper, or a handover note: both are for counselors only and live (and expire)
        with the chat, so a receiver who reloads still sees the note."""
        whisper = Whisper(secrets.token_hex(8), cid, text, from_name, now_ms, kind)
        key = keys.whispers(cid)
        record = {"id": whisper.id, "t": text, "n": from_name, "ts": now_ms, "k": kind}
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(record))
            pipe.ltrim(key, -keys.WHISPER_CAP, -1)
            pipe.expire(key, keys.CONTENT_TTL)
            await pipe.execute()
        return whisper

    async def whispers(self, cid: str) -> list[Whisper]:
        rows = await self._redis.lrange(keys.whispers(cid), 0, -1)
        found = []
        for row in rows:
            data = json.loads(row)
            found.append(Whisper(data["id"], cid, data["t"], data["n"], int(data["ts"]),
                                 data.get("k", "whisper")))
        return found

    # who is monitoring (the counselor is told "<name> kijkt mee") ---------------------------
    async def watch(self, cid: str, sid: str, name: str) -> list[str]:
        """One field per supervisor socket: two tabs watching, one closing, still one left.
        A crashed process leaves its fields behind until the chat ends or CONTENT_TTL."""
        key = keys.watchers(cid)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, sid, name)
            pipe.expire(key, keys.CONTENT_TTL)
            await pipe.execute()
        return await self.watchers(cid)

    async def unwatch(self, cid: str, sid: str) -> list[str]:
        await self._redis.hdel(keys.watchers(cid), sid)
        return await self.watchers(cid)

    async def watchers(self, cid: str) -> list[str]:
        names = await self._redis.hvals(keys.watchers(cid))
        return sorted(set(names), key=str.lower)

    # help requests ----------------------------------------------------------------------------
    async def request_help(self, cid: str, counselor_id: str, now_ms: int) -> None:
        await self._redis.hset(keys.HELP_REQUESTS, cid,
                               json.dumps({"counselor": counselor_id, "ts": now_ms}))

    async def help_requests(self) -> dict[str, HelpRequest]:
        rows = await self._redis.hgetall(keys.HELP_REQUESTS)
        found = {}
        for cid, row in rows.items():
            data = json.loads(row)
            found[cid] = HelpRequest(cid, data["counselor"], int(data["ts"]))
        return found

    async def clear_help(self, *cids: str) -> None:
        if cids:
            await self._redis.hdel(keys.HELP_REQUESTS, *cids)

    # debrief requests (about the counselor, never about a chat) -------------------------------
    async def request_debrief(self, counselor_id: str, now_ms: int) -> None:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(keys.DEBRIEFS, counselor_id, now_ms)
            pipe.expire(keys.DEBRIEFS, keys.DEBRIEF_TTL)
            await pipe.execute()

    async def debriefs(self) -> dict[str, int]:
        return {cid: int(ms) for cid, ms in (await self._redis.hgetall(keys.DEBRIEFS)).items()}

    async def clear_debrief(self, counselor_id: str) -> bool:
        return bool(await self._redis.hdel(keys.DEBRIEFS, counselor_id))

    async def connected(self, counselor_ids: list[str]) -> dict[str, bool]:
        """Who has a console open (read-only look at counselors.py's hc:cconn sets), so a
        counselor asking for help learns whether anyone can see the alert."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for counselor_id in counselor_ids:
                pipe.scard(keys.counselor_conns(counselor_id))
            counts = await pipe.execute()
        return {cid: int(n) > 0 for cid, n in zip(counselor_ids, counts, strict=True)}

    # chat end -----------------------------------------------------------------------------------
    async def chat_ended(self, cid: str, retention_s: int) -> None:
        """Whispers follow the transcript's retention; a help request ends with the chat."""
        async with self._redis.pipeline(transaction=True) as pipe:
            if retention_s <= 0:
                pipe.delete(keys.whispers(cid))
            else:
                pipe.expire(keys.whispers(cid), retention_s)
            pipe.hdel(keys.HELP_REQUESTS, cid)
            pipe.delete(keys.watchers(cid))
            await pipe.execute()
