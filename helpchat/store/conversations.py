"""Conversations and their messages (one Redis stream each). Every key here expires."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from helpchat.limits import Rate, fit_page, message_size
from helpchat.store import keys
from helpchat.store.connection import Redis, Scripts
from helpchat.store.durability import ReplicaConfirm
from helpchat.store.models import Conversation, Message


@dataclass(frozen=True)
class Added:
    """A stored message and who receives it; status "dup" for a resend (delivered before)."""

    status: str
    message: Message
    vid: str | None = None
    counselor_id: str | None = None


@dataclass(frozen=True)
class Full:
    """The conversation reached its caps; `first` for the first refusal (tell the counselor)."""

    first: bool
    vid: str
    counselor_id: str | None


@dataclass(frozen=True)
class Caps:
    messages: int
    bytes: int


@dataclass(frozen=True)
class TooFast:
    """The sender's message bucket is empty: nothing was stored."""

    retry_after_ms: int


@dataclass(frozen=True)
class Page:
    messages: list[Message]
    more: bool  # a further page exists in the direction asked


class Ended:
    """What end() learned about the conversation it ended."""

    def __init__(
        self, previous_state: str, counselor_id: str | None, vid: str, started_ms: int | None,
        created_ms: int = 0, estimate_s: int | None = None, answered: bool = False,
    ) -> None:
        self.previous_state = previous_state
        self.counselor_id = counselor_id
        self.vid = vid
        self.started_ms = started_ms
        self.created_ms = created_ms  # when the visitor asked
        self.estimate_s = estimate_s  # the wait announced then
        self.answered = answered  # a counselor took it at least once


def conversation_from(cid: str, data: dict[str, str]) -> Conversation:
    """The conversation in its hash's fields (HGETALL)."""
    return Conversation(
        id=cid,
        vid=data["vid"],
        state=data.get("state", "ended"),
        counselor_id=data.get("counselor") or None,
        topic=data.get("topic") or None,
        urgent=data.get("urgent") == "1",
        created_ms=int(data.get("created_ms") or 0),
        started_ms=int(data["started_ms"]) if data.get("started_ms") else None,
        pseudonym_code=data.get("pseudonym", ""),
        lang=data.get("lang", "nl"),
        returning=data.get("returning") == "1",
        earlier_thread=data.get("thread") or None,
        return_to=data.get("return_to") or None,
    )


def _message(cid: str, entry_id: str, fields: dict[str, str]) -> Message:
    return Message(
        id=entry_id,
        conversation_id=cid,
        sender=fields.get("s", "system"),
        text=fields.get("t", ""),
        ts_ms=int(fields.get("ts") or entry_id.split("-")[0]),
        client_id=fields.get("c") or None,
        counselor_name=fields.get("n") or None,
    )


async def read_conversations(client: Redis, cids: list[str]) -> list[Conversation]:
    """The conversations that still exist among `cids`, in order, in one round trip."""
    async with client.pipeline(transaction=False) as pipe:
        for cid in cids:
            pipe.hgetall(keys.conversation(cid))
        rows = await pipe.execute()
    return [conversation_from(cid, data)
            for cid, data in zip(cids, rows, strict=True) if data.get("vid")]


# A queued youth rarely writes more; beyond this the console just says "many".
ACTIVITY_SCAN = 100


async def visitor_activity(client: Redis, cids: list[str]) -> dict[str, tuple[int, int]]:
    """cid -> (messages, characters) the visitor wrote so far (the first ACTIVITY_SCAN entries
    of each stream), in one round trip. Counts only: nothing of the text leaves here."""
    async with client.pipeline(transaction=False) as pipe:
        for cid in cids:
            pipe.xrange(keys.log(cid), count=ACTIVITY_SCAN)
        rows = await pipe.execute()
    found = {}
    for cid, entries in zip(cids, rows, strict=True):
        texts = [fields.get("t", "") for _, fields in entries if fields.get("s") == "visitor"]
        found[cid] = (len(texts), sum(len(text) for text in texts))
    return found


async def waiting_since(client: Redis, cids: list[str]) -> dict[str, int | None]:
    """cid -> when the youth's oldest unanswered message arrived (no counselor message after
    it), or None when the counselor spoke last; from the last ACTIVITY_SCAN entries."""
    async with client.pipeline(transaction=False) as pipe:
        for cid in cids:
            pipe.xrevrange(keys.log(cid), count=ACTIVITY_SCAN)
        rows = await pipe.execute()
    found: dict[str, int | None] = {}
    for cid, entries in zip(cids, rows, strict=True):
        since = None
        for entry_id, fields in entries:  # newest first
            sender = fields.get("s")
            if sender == "counselor":
                break
            if sender == "visitor":
                since = _message(cid, entry_id, fields).ts_ms
        found[cid] = since
    return found


class Conversations:
    def __init__(self, client: Redis, scripts: Scripts,
                 confirm: ReplicaConfirm | None = None) -> None:
        self._redis = client
        self._scripts = scripts
        self._confirm = confirm

    async def get(self, cid: str) -> Conversation | None:
        data = await self._redis.hgetall(keys.conversation(cid))
        return conversation_from(cid, data) if data.get("vid") else None

    async def get_many(self, cids: list[str]) -> list[Conversation]:
        return await read_conversations(self._redis, cids)

    async def waiting_since(self, cids: list[str]) -> dict[str, int | None]:
        return await waiting_since(self._redis, cids)

    async def _add_message(self, keys: list[str], args: list[Any]) -> list[Any]:
        if self._confirm is None:
            return list(await self._scripts.add_message(keys=keys, args=args))
        # One pipeline, so one connection: WAIT counts this connection's writes (and, replication
        # being in order, everything written before them).
        async with self._redis.pipeline(transaction=False) as pipe:
            await self._scripts.add_message(keys=keys, args=args, client=pipe)
            self._confirm.queue(pipe)
            result, confirmed, client_info = await pipe.execute()
        await self._confirm.settle(int(confirmed), client_info)
        return list(result)

    async def add_message(
        self,
        cid: str,
        *,
        sender: str,
        text: str,
        now_ms: int,
        client_id: str | None = None,
        counselor_name: str | None = None,
        owner: tuple[str, str] | None = None,
        caps: Caps,
        rate: Rate | None = None,
    ) -> Added | Full | TooFast | str:
        """The stored message, Full past the caps, or an error status: not_found, closed,
        forbidden.

        `owner` = ("vid", vid) or ("counselor", id) checks, inside the script, that the sender
        still owns the conversation (a transfer may have happened a moment ago), and spends a
        token from the owner's message bucket (`rate`; a resend spends none).
        """
        owner_field, owner_value = owner or ("", "")
        bucket = keys.rate(f"msg:{'v' if owner_field == 'vid' else 'c'}", owner_value)
        result = await self._add_message(
            keys=[keys.conversation(cid), keys.log(cid), keys.client_ids(cid), bucket],
            args=[
                client_id or "",
                sender,
                text,
                counselor_name or "",
                now_ms,
                keys.CONTENT_TTL,
                owner_field,
                owner_value,
                caps.messages,
                caps.bytes,
                rate.interval_ms if rate else 0,  # 0, 0: no limit (the script then always allows)
                rate.burst if rate else 0,
            ],
        )
        status = str(result[0])
        if status == "rate_limited":
            return TooFast(int(result[1]))
        if status == "too_large":
            return Full(bool(result[1]), result[2], result[3] or None)
        if status == "ok":
            _, entry_id, vid, counselor = result
            message = Message(entry_id, cid, sender, text, now_ms, client_id, counselor_name)
            return Added(status, message, vid, counselor or None)
        if status == "dup":
            found = await self.messages(cid, start=result[1], end=result[1])
            return Added(status, found[0]) if found else "not_found"
        return status

    async def messages(
        self, cid: str, *, after: str | None = None, start: str = "-", end: str = "+"
    ) -> list[Message]:
        """Messages in order; with `after`, only those strictly after that id."""
        low = f"({after}" if after else start
        entries = await self._redis.xrange(keys.log(cid), min=low, max=end)
        return [_message(cid, entry_id, fields) for entry_id, fields in entries]

    async def page(self, cid: str, *, limit: int, max_bytes: int, after: str | None = None,
                   before: str | None = None) -> Page:
        """One page of the transcript, oldest first: the newest `limit` messages, or those just
        before `before`, or just after `after`; cut further to `max_bytes` as sent, so no
        single emit or ack carries an unbounded transcript."""
        key = keys.log(cid)
        if after is not None:
            entries = await self._redis.xrange(key, min=f"({after}", max="+", count=limit + 1)
        else:
            high = f"({before}" if before is not None else "+"
            entries = await self._redis.xrevrange(key, max=high, min="-", count=limit + 1)
        found = [_message(cid, entry_id, fields) for entry_id, fields in entries]
        more = len(found) > limit
        found = found[:limit]
        fits = fit_page([message_size(m.text) for m in found], max_bytes)
        more = more or fits < len(found)
        found = found[:fits]
        if after is None:
            found.reverse()
        return Page(found, more)

    async def end(self, cid: str, *, now_ms: int, retention_s: int) -> Ended | None:
        """End a queued or active conversation; None when it had ended already."""
        result = await self._scripts.end_chat(
            keys=[keys.conversation(cid), keys.log(cid), keys.client_ids(cid), keys.QUEUE],
            args=[cid, now_ms, retention_s, keys.PREFIX],
        )
        if result[0] != "ok":
            return None
        _, previous, counselor, vid, started, created, estimate, answered = result
        return Ended(previous, counselor or None, vid, int(started) if started else None,
                     created_ms=int(created or 0),
                     estimate_s=int(estimate) if estimate else None, answered=answered == "1")

    async def note_estimate(self, cid: str, estimate_s: int | None) -> None:
        """The wait announced when the visitor asked: abandonment is judged against it."""
        if estimate_s is not None:
            await self._redis.hset(keys.conversation(cid), "eta_s", estimate_s)

    async def note_return(self, cid: str, tid: str | None, counselor_id: str | None) -> None:
        """Link the chat to the question thread the young person came back from (they chose
        the same counselor), or (None) undo it when that counselor could not take the chat.
        The link lives in the conversation hash and goes with it."""
        key = keys.conversation(cid)
        if tid and counselor_id:
            await self._redis.hset(key, mapping={"thread": tid, "return_to": counselor_id})
        else:
            await self._redis.hdel(key, "thread", "return_to")

