"""What everyone sees of the whole service: availability for visitors, the queue for
counselors, positions for waiting visitors and each counselor's duty state."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from helpchat import estimates
from helpchat.availability import Capacity, RosterStatus, availability
from helpchat.i18n import LANGUAGES
from helpchat.realtime import payloads
from helpchat.realtime.hub.coalesce import Coalesced
from helpchat.realtime.hub.context import HubContext
from helpchat.realtime.hub.rooms import (
    COUNSELOR_NS,
    QUEUE_ROOM,
    SUPERVISORS_ROOM,
    VISITOR_NS,
    counselor_room,
    lang_room,
    visitor_room,
)
from helpchat.store import keys
from helpchat.store.models import Counselor, QueueEntry

# A reload or a network blip reconnects within this; a counselor away longer is not counted.
AWAY_AFTER_MS = 3000
# The queue goes out at most this often (coalesce.py); a counselor sees a join within it.
QUEUE_PUSH_WINDOW_S = 0.1
# How old the availability shown to an arriving visitor may be (recent_availability).
RECENT_AVAILABILITY_S = 0.1


@dataclass(frozen=True)
class Load:
    """One reading of who can answer and who waits, shared by everything a push sends."""

    on_duty: int  # counselors on duty (not paused)
    slots: int  # their chat places, busy or free
    queue_length: int
    handle_times: list[int]  # recent chat durations, seconds

    def wait_for(self, position: int) -> int | None:
        return estimates.estimate_wait_s(position, self.handle_times, self.slots)


def _failed(reading: asyncio.Future[Any]) -> bool:
    return reading.done() and (reading.cancelled() or reading.exception() is not None)


class Pushes:
    def __init__(self, ctx: HubContext) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self._queue = Coalesced(self._push_queue, QUEUE_PUSH_WINDOW_S, ctx.redis_watch)
        self._rows = Coalesced(self._push_queue_rows, QUEUE_PUSH_WINDOW_S, ctx.redis_watch)
        # Its own run, so that `settled` (a take's chat_started waits for it) waits only for
        # the queue and the positions, not for the availability's two round trips as well.
        self._avail_push = Coalesced(self.push_availability, QUEUE_PUSH_WINDOW_S, ctx.redis_watch)
        # lang -> (read at, monotonic s; the reading, or the task making it)
        self._recent: dict[str, tuple[float, asyncio.Future[dict[str, Any]]]] = {}

    # availability ---------------------------------------------------------------------------
    async def load(self) -> Load:
        reading = await self.store.load.read()
        # Counselors on duty minus those disconnected for longer than a page reload (their
        # process may have died): they cannot answer now, so they promise nobody a chat.
        cutoff = self.ctx.now_ms() - AWAY_AFTER_MS
        on_ids = [cid for cid, state in reading.duty.items()
                  if state == "on" and reading.gone_ms.get(cid, cutoff + 1) > cutoff]
        limit = self.ctx.settings.max_chats_limit  # as take.lua is told: an account may say more
        slots = sum(min(c.max_chats, limit)
                    for c in await self.store.counselors.many_recent(on_ids))
        return Load(len(on_ids), slots, reading.queue_length, reading.handle_times)

    async def estimate(self, position: int) -> int | None:
        return (await self.load()).wait_for(position)

    async def availability(self, lang: str) -> dict[str, Any]:
        return (await self.availability_and_load(lang))[0]

    async def availability_and_load(self, lang: str) -> tuple[dict[str, Any], Load]:
        """The availability and the reading it was made from (its wait estimates hold for any
        position: a join changes only the queue's length)."""
        load, roster, contacts = await asyncio.gather(  # one round trip (store/batching.py)
            self.load(), self.ctx.roster(self.ctx.now_ms()), self.store.contacts.list(lang))
        return self._availability(load, roster, contacts), load

    async def recent_availability(self, lang: str) -> dict[str, Any]:
        """The availability as read at most RECENT_AVAILABILITY_S ago, for what arrives in
        crowds: the widget's every page view (/api/availability) and every connecting visitor.
        Arrivals meanwhile share one reading (seven Redis reads) instead of one each; a change
        since is pushed to them (`availability`) as to everyone. Decisions (request_chat) read
        afresh."""
        now = time.monotonic()
        cached = self._recent.get(lang)
        if cached is None or now - cached[0] > RECENT_AVAILABILITY_S or _failed(cached[1]):
            cached = (now, asyncio.ensure_future(self.availability(lang)))
            self._recent[lang] = cached
        return await asyncio.shield(cached[1])

    def _availability(self, load: Load, roster: RosterStatus | None,
                      contacts: list[dict[str, Any]]) -> dict[str, Any]:
        capacity = Capacity(
            counselors_on_duty=load.on_duty,
            queue_length=load.queue_length,
            queue_cap=self.ctx.settings.queue_cap,
            estimated_wait_s=load.wait_for(load.queue_length + 1),
        )
        return availability(capacity, contacts, roster)

    async def push_availability(self, load: Load | None = None) -> None:
        """Tell every visitor when what they would see changed (deduplicated via Redis)."""
        load = load or await self.load()
        roster, contacts = await asyncio.gather(
            self.ctx.roster(self.ctx.now_ms()),
            asyncio.gather(*map(self.store.contacts.list, LANGUAGES)))
        currents = [self._availability(load, roster, each) for each in contacts]
        encoded = [json.dumps(current, sort_keys=True) for current in currents]
        previous = await asyncio.gather(*(
            self.store.redis.set(keys.availability(lang), text, ex=keys.AVAIL_TTL, get=True)
            for lang, text in zip(LANGUAGES, encoded, strict=True)))
        for lang, current, text, before in zip(LANGUAGES, currents, encoded, previous,
                                               strict=True):
            self._remember(lang, current)
            if before != text:
                await self.ctx.sio.emit("availability", current, room=lang_room(lang),
                                        namespace=VISITOR_NS)

    def _remember(self, lang: str, current: dict[str, Any]) -> None:
        done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        done.set_result(current)
        self._recent[lang] = (time.monotonic(), done)

    # queue ----------------------------------------------------------------------------------
    async def push_queue(self) -> None:
        """Queue to every counselor; position and estimate to every waiting visitor, then the
        availability to every visitor: soon, at most once per QUEUE_PUSH_WINDOW_S (the caller
        does not wait for it)."""
        self._recent.clear()  # a change made here: the next arrival reads afresh
        self._queue.request()

    async def push_queue_rows(self) -> None:
        """The queue to every counselor only: also when a waiting youth writes (the row shows
        how much), which changes no position. Coalesced as push_queue."""
        self._rows.request()

    async def settled(self) -> None:
        """Before a queued youth hears that the wait is over (chat started or ended): a queue
        push already under way read the queue before, and its position for this youth must not
        arrive after the news."""
        await self._queue.settled()

    async def close(self) -> None:
        await self._queue.close()
        await self._rows.close()
        await self._avail_push.close()

    async def _push_queue(self) -> None:
        entries, load = await asyncio.gather(self.store.queue.entries(), self.load())
        await self._send_rows(entries)
        for index, entry in enumerate(entries):
            await self.ctx.sio.emit(
                "queue_position",
                payloads.queue_position(entries, index, load.wait_for(entry.position)),
                room=visitor_room(entry.conversation.vid), namespace=VISITOR_NS,
            )
        self._avail_push.request()

    async def _push_queue_rows(self) -> None:
        await self._send_rows(await self.store.queue.entries())

    async def _send_rows(self, entries: list[QueueEntry]) -> None:
        now = self.ctx.now_ms()
        lang = self.ctx.settings.default_language
        await self.ctx.sio.emit(
            "queue", {"entries": [payloads.queue_entry(e, now, lang) for e in entries]},
            room=QUEUE_ROOM, namespace=COUNSELOR_NS,
        )

    # duty -----------------------------------------------------------------------------------
    async def duty_payload(self, counselor: Counselor) -> dict[str, Any]:
        state, active, cooldown = await asyncio.gather(  # one round trip (batching.py)
            self.store.counselors.duty(counselor.id),
            self.store.counselors.active_chats(counselor.id),
            self.store.wellbeing.cooldown_until(counselor.id))
        return {"on": state == "on", "status": state, "active_chats": len(active),
                "max_chats": counselor.max_chats, "cooldown_until_ms": cooldown}

    async def push_duty(self, counselor: Counselor, duty: dict[str, Any] | None = None) -> None:
        """The counselor's duty state (`duty`: as just read by the caller) to their sockets."""
        await self.ctx.sio.emit("duty", duty or await self.duty_payload(counselor),
                                room=counselor_room(counselor.id), namespace=COUNSELOR_NS)
        # Every change of who has which chat passes here: supervisors refresh their board.
        await self.ctx.sio.emit("board_changed", {}, room=SUPERVISORS_ROOM,
                                namespace=COUNSELOR_NS)
