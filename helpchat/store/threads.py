"""Question threads: a question left while nobody could chat, its answers and replies.

Every content key (hc:thread, hc:tlog, hc:tcids, hc:tcode) expires `ttl_s` after the thread's
last message and is refreshed by each new one (lua/thread_add.lua); the sweep then also takes
the expired thread out of the id sets (inbox, claimed, review, expiry), so the append-only
file rewrite that runs every few minutes (app._sweeper) drops its text from the disk too.
The moves that must not race (claim, answer, release, hand over) are Lua scripts.
"""

from __future__ import annotations

from dataclasses import dataclass

from redis.commands.core import AsyncScript

from helpchat.store import keys
from helpchat.store.connection import LUA_DIR, Redis
from helpchat.store.models import Message

# A thread holds at most this much text (UTF-8 bytes), whatever its message count.
MAX_THREAD_BYTES = 64 * 1024
SWEEP_BATCH = 200
SCRIPTS = ("thread_create", "thread_add", "thread_claim", "thread_move", "thread_close")


@dataclass(frozen=True)
class Draft:
    text: str
    counselor_name: str
    ts_ms: int


@dataclass(frozen=True)
class Thread:
    id: str
    lang: str
    state: str  # open | claimed | review | answered | done
    created_ms: int
    last_ms: int
    waiting_ms: int | None  # unanswered since (None once answered)
    counselor_id: str | None  # who claimed it (or wrote the answer under review)
    answered_by: str | None  # who wrote the last published answer
    code_hash: str
    origin: str  # ask | live
    draft: Draft | None
    review_note: str | None


@dataclass(frozen=True)
class NewMessage:
    sender: str  # visitor | counselor
    text: str
    ts_ms: int
    client_id: str | None = None
    counselor_name: str | None = None


@dataclass(frozen=True)
class Added:
    """status ok (stored and visible), review (held for a supervisor) or dup (a resend)."""

    status: str
    message: Message | None = None
    waited_ms: int | None = None  # for an answer: how long the question had waited
    author_id: str | None = None


def _int(value: str | None) -> int | None:
    return int(value) if value else None


def _thread(tid: str, data: dict[str, str]) -> Thread:
    draft = None
    if data.get("draft_ms"):
        draft = Draft(data.get("draft_text", ""), data.get("draft_name", ""),
                      int(data["draft_ms"]))
    return Thread(
        id=tid, lang=data.get("lang", "nl"), state=data["state"],
        created_ms=int(data.get("created_ms") or 0), last_ms=int(data.get("last_ms") or 0),
        waiting_ms=_int(data.get("waiting_ms")), counselor_id=data.get("counselor") or None,
        answered_by=data.get("answered_by") or None,
        code_hash=data.get("code_hash", ""), origin=data.get("origin", "ask"), draft=draft,
        review_note=data.get("review_note") or None,
    )


def _message(tid: str, entry_id: str, fields: dict[str, str]) -> Message:
    return Message(
        id=entry_id, conversation_id=tid, sender=fields.get("s", "system"),
        text=fields.get("t", ""), ts_ms=int(fields.get("ts") or entry_id.split("-")[0]),
        client_id=fields.get("c") or None, counselor_name=fields.get("n") or None,
    )


def _all_keys(tid: str) -> list[str]:
    """The keys thread_add and thread_close take, in their order."""
    return [keys.thread(tid), keys.thread_log(tid), keys.thread_client_ids(tid),
            keys.THREAD_INBOX, keys.THREAD_CLAIMED, keys.THREAD_REVIEW, keys.THREAD_EXPIRY]


class Threads:
    def __init__(self, client: Redis, *, ttl_s: int) -> None:
        self._redis = client
        self.ttl_s = ttl_s
        self._scripts: dict[str, AsyncScript] = {
            name: client.register_script((LUA_DIR / f"{name}.lua").read_text())
            for name in SCRIPTS
        }

    # creating and finding -------------------------------------------------------------------
    async def create(self, tid: str, *, lang: str, messages: list[NewMessage], digest: str,
                     code_hash: str, now_ms: int, origin: str = "ask",
                     counselor_id: str | None = None) -> bool:
        """A thread with its first messages: open in the inbox, or claimed by `counselor_id`
        (a chat continued later). False when the code's index key is taken (the caller makes
        a new code)."""
        fields: list[str | int] = []
        for message in messages:
            fields += [message.sender, message.text, message.client_id or "",
                       message.counselor_name or "", message.ts_ms]
        result = await self._scripts["thread_create"](
            keys=[keys.thread(tid), keys.thread_log(tid), keys.thread_client_ids(tid),
                  keys.thread_code(digest), keys.THREAD_INBOX, keys.THREAD_CLAIMED,
                  keys.THREAD_EXPIRY],
            args=[tid, lang, now_ms, code_hash, digest, self.ttl_s, origin,
                  "claimed" if counselor_id else "open", counselor_id or "", *fields],
        )
        return bool(result[0] == "ok")

    async def find(self, digests: list[str]) -> list[str | None]:
        """Thread ids for code digests, in one round trip: a guess costs one key lookup."""
        if not digests:
            return []
        return list(await self._redis.mget([keys.thread_code(d) for d in digests]))

    async def get(self, tid: str) -> Thread | None:
        data = await self._redis.hgetall(keys.thread(tid))
        return _thread(tid, data) if data.get("state") else None

    async def get_many(self, tids: list[str]) -> list[Thread]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for tid in tids:
                pipe.hgetall(keys.thread(tid))
            rows = await pipe.execute()
        return [_thread(tid, data) for tid, data in zip(tids, rows, strict=True)
                if data.get("state")]

    async def messages(self, tid: str, *, after: str | None = None) -> list[Message]:
        low = f"({after}" if after else "-"
        entries = await self._redis.xrange(keys.thread_log(tid), min=low, max="+")
        return [_message(tid, entry_id, fields) for entry_id, fields in entries]

    async def first_messages(self, tids: list[str]) -> dict[str, Message]:
        """Each thread's first message (the question), for the inbox preview."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for tid in tids:
                pipe.xrange(keys.thread_log(tid), count=1)
            rows = await pipe.execute()
        return {tid: _message(tid, *row[0]) for tid, row in zip(tids, rows, strict=True) if row}

    # moves ----------------------------------------------------------------------------------
    async def add(self, tid: str, *, sender: str, text: str = "", client_id: str | None = None,
                  counselor_id: str = "", counselor_name: str = "", now_ms: int,
                  max_messages: int, review: bool = False) -> Added | str:
        """sender visitor | counselor | approve (a supervisor publishing the draft). The
        stored message, or an error status: not_found, conflict, too_large."""
        result = await self._scripts["thread_add"](
            keys=_all_keys(tid),
            args=[tid, sender, text, client_id or "", counselor_id, counselor_name, now_ms,
                  self.ttl_s, max_messages, MAX_THREAD_BYTES, "1" if review else "0",
                  keys.PREFIX],
        )
        status = str(result[0])
        if status == "review":
            return Added(status)
        if status == "dup":
            found = await self._redis.xrange(keys.thread_log(tid), min=result[1], max=result[1])
            return Added(status, _message(tid, *found[0])) if found else "not_found"
        if status != "ok":
            return status
        _, entry_id, waited, author = result
        stored = await self._redis.xrange(keys.thread_log(tid), min=entry_id, max=entry_id)
        return Added(status, _message(tid, *stored[0]), _int(waited), author or None)

    async def claim(self, tid: str | None, counselor_id: str, *, now_ms: int) -> tuple[str, str]:
        """('ok', thread id) or (empty|conflict|not_found, '')."""
        result = await self._scripts["thread_claim"](
            keys=[keys.THREAD_INBOX, keys.THREAD_CLAIMED],
            args=[tid or "", counselor_id, now_ms, keys.PREFIX],
        )
        return str(result[0]), str(result[1]) if len(result) > 1 else ""

    async def move(self, tid: str, mode: str, *, by: str, target: str = "", now_ms: int,
                   for_others: bool = False) -> tuple[str, str | None]:
        """mode release | hand_over (target: counselor id) | reject (target: the note).
        (status, the counselor who held it)."""
        result = await self._scripts["thread_move"](
            keys=[keys.thread(tid), keys.THREAD_INBOX, keys.THREAD_CLAIMED, keys.THREAD_REVIEW],
            args=[tid, mode, by, target, now_ms, "1" if for_others else "0"],
        )
        return str(result[0]), (str(result[1]) or None) if len(result) > 1 else None

    async def close(self, tid: str, mode: str, *, now_ms: int) -> str | None:
        """mode done | delete: the state the thread had, or None when it was gone."""
        result = await self._scripts["thread_close"](
            keys=_all_keys(tid), args=[tid, mode, now_ms, keys.PREFIX])
        return str(result[1]) if result[0] == "ok" else None

    async def sweep(self, now_ms: int) -> int:
        """Remove threads past their expiry from every index; how many."""
        # Bounded per sweep (every two seconds): a backlog clears over a few sweeps.
        due: list[str] = await self._redis.zrangebyscore(keys.THREAD_EXPIRY, "-inf", now_ms,
                                                         start=0, num=SWEEP_BATCH)
        for tid in due:
            await self.close(tid, "delete", now_ms=now_ms)
        return len(due)

    # the console's lists --------------------------------------------------------------------
    async def waiting(self) -> list[str]:
        """Unclaimed unanswered thread ids, oldest first."""
        return list(await self._redis.zrange(keys.THREAD_INBOX, 0, -1))

    async def claimed(self) -> list[str]:
        return list(await self._redis.zrange(keys.THREAD_CLAIMED, 0, -1))

    async def in_review(self) -> list[str]:
        return list(await self._redis.zrange(keys.THREAD_REVIEW, 0, -1))

    async def oldest_waiting_ms(self) -> list[int]:
        return [int(score) for _, score in
                await self._redis.zrange(keys.THREAD_INBOX, 0, -1, withscores=True)]

    # the global ceiling on failed lookups ---------------------------------------------------
    async def failed_lookups(self, now_ms: int) -> int:
        return int(await self._redis.get(keys.thread_failures(now_ms // 1000)) or 0)

    async def note_failed_lookup(self, now_ms: int) -> None:
        key = keys.thread_failures(now_ms // 1000)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, keys.FAIL_WINDOW_TTL)
            await pipe.execute()

    # figures (counters only: never which thread; the Insights figures are in store.insights)
    async def count(self, name: str, by: int = 1) -> None:
        """deleted, expired: threads gone, which also triggers the AOF rewrite."""
        await self._redis.hincrby(keys.STATS_QUESTIONS, name, by)

    async def record_answer(self, waited_ms: int) -> None:
        """The recent answer times behind what the widget says (Insights keeps the figures)."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.lpush(keys.STATS_ANSWERS, max(0, waited_ms // 1000))
            pipe.ltrim(keys.STATS_ANSWERS, 0, keys.ANSWER_SAMPLES - 1)
            await pipe.execute()

    async def answer_times(self) -> list[int]:
        return [int(v) for v in await self._redis.lrange(keys.STATS_ANSWERS, 0, -1)]

    async def counts(self) -> dict[str, int]:
        return {k: int(v) for k, v in (await self._redis.hgetall(keys.STATS_QUESTIONS)).items()}
