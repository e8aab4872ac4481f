"""A conversation's life after it exists, whoever moves it: messages stored and delivered to
both sides, a chat handed back to the queue, and the end with its wrap-up."""

from __future__ import annotations

import logging
from typing import Any

from helpchat.config import block_end_time
from helpchat.errors import HelpchatError, rate_limited
from helpchat.i18n import translate
from helpchat.limits import block_ends
from helpchat.realtime import payloads
from helpchat.realtime.hub.context import HubContext
from helpchat.realtime.hub.pushes import Pushes
from helpchat.realtime.hub.rooms import (
    COUNSELOR_NS,
    SUPERVISORS_ROOM,
    VISITOR_NS,
    counselor_room,
    visitor_room,
    watch_room,
)
from helpchat.store.conversations import Caps, Full, Page, TooFast
from helpchat.store.models import Conversation, Counselor, Message
from helpchat.store.sessions import Block

log = logging.getLogger("helpchat.realtime.hub")

# Reasons the server itself gives; anything else is a counselor's free text.
MACHINE_REASONS = frozenset({
    "left_queue", "blocked", "quick_exit", "forget_me", "visitor_gone", "transferred",
    "requeued", "taken_over", "shed",
})


class Lifecycle:
    def __init__(self, ctx: HubContext, pushes: Pushes) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.pushes = pushes

    # messages -------------------------------------------------------------------------------
    async def add_message(self, cid: str, *, sender: str, text: str, client_id: str | None,
                          owner: tuple[str, str] | None, counselor_name: str | None = None,
                          ) -> Message:
        settings = self.ctx.settings
        self.ctx.arrivals.chat_message()
        added = await self.store.conversations.add_message(
            cid, sender=sender, text=text, now_ms=self.ctx.now_ms(), client_id=client_id,
            counselor_name=counselor_name, owner=owner,
            caps=Caps(settings.max_conversation_messages, settings.max_conversation_bytes),
            rate=self.ctx.rate("msg", "v" if owner[0] == "vid" else "c") if owner else None,
        )
        if isinstance(added, TooFast):
            raise rate_limited(added.retry_after_ms, "error.too_fast")
        if isinstance(added, Full):
            if added.first:
                log.info("chat full conversation=%s", cid)
                await self.to_console(cid, added.counselor_id, "chat_full",
                                       {"conversation_id": cid})
            raise HelpchatError("too_large", "error.chat_full" if sender == "visitor"
                                else "console.error.chat_full")
        if added == "forbidden":
            raise HelpchatError("forbidden")
        if added == "closed":
            raise HelpchatError("closed", "error.no_chat")
        if isinstance(added, str):
            raise HelpchatError("not_found")
        if added.status == "ok":
            self.ctx.metrics.messages_of(sender).inc()
        if added.status == "ok" and added.vid:  # a resend ("dup") was delivered the first time
            await self._deliver(added.message, added.vid, added.counselor_id)
            if sender == "visitor" and not added.counselor_id:  # still waiting in the queue
                await self.pushes.push_queue_rows()
        return added.message

    async def page(self, cid: str, *, after: str | None = None, before: str | None = None,
                   limit: int | None = None) -> Page:
        """A page of the transcript within the configured size (`limit` may only lower it)."""
        settings = self.ctx.settings
        most = settings.history_page_messages
        return await self.store.conversations.page(
            cid, limit=min(limit or most, most), max_bytes=settings.history_page_bytes,
            after=after, before=before)

    async def spend(self, what: str, owner: tuple[str, str]) -> bool:
        """Take one token from the sender's `what` bucket ("msg" or "typing"). Messages over
        the rate are refused with rate_limited; typing over the rate is only dropped (False):
        a late "is typing" is no loss, and an error would only make a client resend it."""
        kind = "v" if owner[0] == "vid" else "c"
        rate = self.ctx.rate(what, kind)
        decision = await self.store.limits.take(f"{what}:{kind}", owner[1], rate,
                                                self.ctx.now_ms())
        if decision.allowed:
            return True
        if what == "msg":
            raise rate_limited(decision.retry_after_ms, "error.too_fast")
        return False

    async def to_console(self, cid: str, counselor_id: str | None, event: str,
                          data: dict[str, Any]) -> None:
        """To the chat's counselor and any supervisor watching (a socket in both rooms gets
        it once)."""
        rooms = [watch_room(cid)]
        if counselor_id:
            rooms.append(counselor_room(counselor_id))
        await self.ctx.sio.emit(event, data, to=rooms, namespace=COUNSELOR_NS)

    async def system_message(self, conv: Conversation, key: str, **params: Any) -> None:
        await self.add_message(conv.id, sender="system", text=translate(conv.lang, key, **params),
                               client_id=None, owner=None)

    async def _deliver(self, msg: Message, vid: str, counselor_id: str | None) -> None:
        data = payloads.message(msg)
        await self.ctx.sio.emit("message", data, room=visitor_room(vid), namespace=VISITOR_NS)
        await self.to_console(msg.conversation_id, counselor_id, "message", data)

    # blocks ---------------------------------------------------------------------------------
    async def block_session(self, conv: Conversation, counselor: Counselor, reason: str) -> None:
        """The conversation's visitor session can start no chat until the block ends
        (block_hours, or block_ends_at the next day in the roster's time zone)."""
        settings, now = self.ctx.settings, self.ctx.now_ms()
        until = block_ends(now, hours=settings.block_hours, ends_at=block_end_time(settings),
                           timezone=settings.timezone)
        await self.store.sessions.block(Block(conv.vid, conv.pseudonym_code, now, counselor.id,
                                              counselor.name, reason, until))
        # Counted here, for `block` and a shed with a block alike.
        await self.store.stats.count("blocked")
        await self.store.insights.count_now("blocked", now)

    # back to the queue ----------------------------------------------------------------------
    async def requeue(self, conv: Conversation, counselor_id: str, notice_key: str) -> None:
        vid = await self.store.queue.requeue_front(conv.id, counselor_id,
                                                   now_ms=self.ctx.now_ms())
        if vid is None:
            raise HelpchatError("conflict")
        log.info("chat requeued conversation=%s from=%s", conv.id, counselor_id)
        await self.system_message(conv, notice_key)
        await self.ctx.sio.emit("chat_ended", {"conversation_id": conv.id, "by": "system",
                                               "reason": "requeued"},
                                room=counselor_room(counselor_id), namespace=COUNSELOR_NS)
        counselor = await self.store.counselors.get(counselor_id)
        if counselor:
            await self.pushes.push_duty(counselor)
        await self.pushes.push_queue()

    # the end --------------------------------------------------------------------------------
    async def end(self, cid: str, *, by: str, reason: str | None,
                  wrap_up: bool = True) -> bool:
        """End a conversation for both sides; False when it had already ended. wrap_up=False:
        the caller records the wrap-up itself (a shed prank), so none is opened."""
        settings = self.ctx.settings
        ended = await self.store.conversations.end(
            cid, now_ms=self.ctx.now_ms(), retention_s=settings.retention_seconds)
        if ended is None:
            return False
        await self.store.stats.count("chats_ended")
        now = self.ctx.now_ms()
        long_chat = False
        if ended.started_ms is not None and ended.previous_state == "active":
            await self.store.stats.record_handle_time((now - ended.started_ms) // 1000)
            await self.store.insights.chat_duration((now - ended.started_ms) // 1000, now)
            after_ms = settings.cooldown_after_chat_minutes * 60_000
            long_chat = bool(after_ms) and now - ended.started_ms >= after_ms
        elif ended.previous_state == "queued" and not ended.answered:
            await self.store.insights.abandoned(ended.created_ms, now, ended.estimate_s)
        code = reason if reason in MACHINE_REASONS else None
        # How chats end, counted once each (a quick exit is not "the visitor ended it"); never
        # the text. A quick exit's one count is the hourly Insights figure admins read.
        if code == "quick_exit":
            await self.store.insights.count_now("quick_exit", now)
        else:
            await self.store.stats.count(f"ended_{code}" if code else f"ended_by_{by}")
        log.info("chat ended conversation=%s by=%s reason=%s", cid, by, code or "-")
        session = await self.store.sessions.get(ended.vid)
        lang = session.lang if session else settings.default_language
        await self.pushes.settled()  # a queued youth: no older position after this
        await self.ctx.sio.emit(
            # A counselor's free-text reason is for colleagues, not for the young person.
            "chat_ended",
            {"by": by, "reason": code, "contacts": await self.store.contacts.list(lang)},
            room=visitor_room(ended.vid), namespace=VISITOR_NS,
        )
        if ended.counselor_id:
            await self.ctx.sio.emit("chat_ended",
                                    {"conversation_id": cid, "by": by, "reason": reason},
                                    room=counselor_room(ended.counselor_id),
                                    namespace=COUNSELOR_NS)
            if long_chat:
                await self.start_cooldown(ended.counselor_id)
            counselor = await self.store.counselors.get(ended.counselor_id)
            if counselor:
                await self.pushes.push_duty(counselor)
        await self._console_chat_ended(cid, ended.counselor_id if wrap_up else None,
                                       ended.previous_state,
                                       {"conversation_id": cid, "by": by, "reason": reason})
        if ended.previous_state == "queued":
            await self.pushes.push_queue()
        else:
            await self.pushes.push_availability()
        return True

    async def start_cooldown(self, counselor_id: str) -> bool:
        """After a heavy or long chat: no new chat for `cooldown_minutes` (take and transfer
        refuse one). The caller pushes the counselor's duty state."""
        minutes = self.ctx.settings.cooldown_minutes
        if not await self.store.wellbeing.start_cooldown(counselor_id, self.ctx.now_ms(),
                                                         minutes * 60):
            return False
        log.info("cool-down counselor=%s minutes=%s", counselor_id, minutes)
        await self.store.stats.count("cooldowns")
        return True

    async def _console_chat_ended(self, cid: str, counselor_id: str | None, previous_state: str,
                                  notice: dict[str, Any]) -> None:
        """Watchers learn the chat ended, its whispers follow the transcript's retention, and
        its counselor gets an open wrap-up, which blocks `take` until submitted or skipped."""
        sio = self.ctx.sio
        await sio.emit("chat_ended", notice, room=watch_room(cid), namespace=COUNSELOR_NS)
        await self.store.supervision.chat_ended(cid, self.ctx.settings.retention_seconds)
        if counselor_id and previous_state == "active":
            # The conversation id goes to the counselor's tabs only (to place the form); the
            # stored wrap-up never names the chat.
            wrap_id = await self.store.wrapups.open(counselor_id, self.ctx.now_ms())
            await sio.emit("wrap_up", {"id": wrap_id, "conversation_id": cid},
                           room=counselor_room(counselor_id), namespace=COUNSELOR_NS)
            await sio.emit("board_changed", {}, room=SUPERVISORS_ROOM, namespace=COUNSELOR_NS)
