"""The counselor's moves: duty, taking a chat, messages, typing, transfer and block."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from helpchat import display_names
from helpchat.errors import ErrorCode, HelpchatError
from helpchat.realtime import payloads
from helpchat.realtime.hub.context import HubContext
from helpchat.realtime.hub.lifecycle import Lifecycle
from helpchat.realtime.hub.pushes import Pushes
from helpchat.realtime.hub.rooms import (
    COUNSELOR_NS,
    VISITOR_NS,
    counselor_room,
    visitor_room,
)
from helpchat.store.models import Conversation, Counselor, Message

log = logging.getLogger("helpchat.realtime.hub")

# take.lua's answers that refuse the counselor, with the message they are told
TAKE_REFUSALS: dict[str, tuple[ErrorCode, str]] = {
    "off_duty": ("forbidden", "error.off_duty"),
    "wrap_up": ("forbidden", "console.error.wrap_up_open"),
    "cooldown": ("forbidden", "console.error.cooldown"),
    "limit": ("forbidden", "error.chat_limit"),
    "empty": ("not_found", "error.queue_empty"),
}


class CounselorSide:
    def __init__(self, ctx: HubContext, pushes: Pushes, chats: Lifecycle) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.pushes = pushes
        self.chats = chats

    async def set_duty(self, counselor: Counselor, state: str) -> dict[str, Any]:
        if state == "on" and not await self.ctx.duty_check(counselor.id, self.ctx.now_ms()):
            raise HelpchatError("forbidden", "admin.duty.not_scheduled")
        await self.store.counselors.set_duty(counselor.id, state)
        log.info("duty counselor=%s state=%s", counselor.id, state)
        await self.pushes.push_duty(counselor)
        await self.pushes.push_queue()
        return await self.pushes.duty_payload(counselor)

    async def end_cooldown(self, counselor: Counselor) -> dict[str, Any]:
        if await self.store.wellbeing.end_cooldown(counselor.id):
            log.info("cool-down ended early counselor=%s", counselor.id)
            await self.pushes.push_duty(counselor)
        return await self.pushes.duty_payload(counselor)

    async def conversation_payload(self, conv: Conversation,
                                   viewer: str | None = None) -> dict[str, Any]:
        """The conversation with its newest page of messages (older ones: `sync` before), and
        who is monitoring it, as counselor `viewer` (the one it is assigned to) sees it."""
        page, watchers = await asyncio.gather(self.chats.page(conv.id),
                                              self.store.supervision.watchers(conv.id))
        found = payloads.conversation(conv, page.messages, page.more,
                                      self.ctx.settings.default_language)
        found["watchers"] = watchers
        # Back from a question thread to its counselor (the young person's choice): only that
        # counselor sees "returning; earlier thread" and the thread; not a colleague it is
        # handed to, not a supervisor watching.
        if conv.earlier_thread and viewer and conv.return_to == viewer:
            thread = await self.store.threads.messages(conv.earlier_thread)
            found["returning"] = True
            found["earlier_thread"] = payloads.earlier_thread(conv.earlier_thread, thread)
        return found

    async def take(self, counselor: Counselor, cid: str | None) -> dict[str, Any]:
        taken = await self.store.queue.take(
            counselor.id, cid, now_ms=self.ctx.now_ms(),
            max_chats=min(counselor.max_chats, self.ctx.settings.max_chats_limit),
        )
        if taken.status in TAKE_REFUSALS:
            raise HelpchatError(*TAKE_REFUSALS[taken.status])
        conv = taken.conversation
        if conv is None:
            raise HelpchatError("conflict" if taken.status == "conflict" else "not_found")
        counts = [self.store.stats.count("chats_taken")]
        if taken.first:  # not again after a requeue
            started = conv.started_ms or self.ctx.now_ms()
            counts.append(self.store.insights.answered(conv.created_ms, started))
            self.ctx.metrics.waiting.observe(max(0, started - conv.created_ms) / 1000)
        log.info("chat taken conversation=%s counselor=%s", conv.id, counselor.id)
        # The counts go out with the announcement's reads: one round trip (batching.py).
        payload, *_ = await asyncio.gather(self._announce_assignment(conv, counselor), *counts)
        await self.pushes.push_queue()
        return payload

    async def _announce_assignment(self, conv: Conversation, counselor: Counselor,
                                   handover: dict[str, Any] | None = None) -> dict[str, Any]:
        """Tell the youth and the counselor (`assigned`); the conversation as sent to them."""
        sio = self.ctx.sio
        conversation, duty = await asyncio.gather(self.conversation_payload(conv, counselor.id),
                                                  self.pushes.duty_payload(counselor))
        await self.pushes.settled()
        await sio.emit("chat_started",
                       {"conversation_id": conv.id,
                        "counselor_name": display_names.for_visitors(counselor, conv.lang)},
                       room=visitor_room(conv.vid), namespace=VISITOR_NS)
        assigned: dict[str, Any] = {"conversation": conversation}
        if handover:
            assigned["handover"] = handover
        await sio.emit("assigned", assigned, room=counselor_room(counselor.id),
                       namespace=COUNSELOR_NS)
        await self.pushes.push_duty(counselor, duty)
        return conversation

    async def conversation(self, counselor: Counselor, cid: str) -> Conversation:
        conv = await self.store.conversations.get(cid)
        if conv is None or conv.state == "ended":
            raise HelpchatError("not_found")
        if conv.counselor_id != counselor.id:
            raise HelpchatError("forbidden")
        return conv

    async def message(self, counselor: Counselor, cid: str, client_id: str, text: str
                      ) -> Message:
        return await self.chats.add_message(cid, sender="counselor", text=text,
                                            client_id=client_id,
                                            counselor_name=counselor.display_name or None,
                                            owner=("counselor", counselor.id))

    async def typing(self, counselor: Counselor, cid: str, typing: bool) -> None:
        conv = await self.conversation(counselor, cid)
        if await self.chats.spend("typing", ("counselor", counselor.id)):
            await self.ctx.sio.emit("typing", {"typing": typing}, room=visitor_room(conv.vid),
                                    namespace=VISITOR_NS)

    async def end_chat(self, counselor: Counselor, cid: str, reason: str | None) -> None:
        await self.conversation(counselor, cid)
        await self.chats.end(cid, by="counselor", reason=reason)

    async def transfer(self, counselor: Counselor, cid: str, to: str | None,
                       note: str | None = None, taken_by: Counselor | None = None) -> None:
        """Hand the chat to a colleague (or, `to` None, to the front of the queue). `taken_by`:
        a supervisor taking it over; the giver is then told "taken_over", not "transferred".
        A transfer's note is for the receiver; a take-over's note is the supervisor's word to
        the giver (sent with its chat_ended). Both are kept with the chat's whispers, expiring
        with them: a reload shows them again, and so does whoever has or watches the chat next."""
        conv = await self.conversation(counselor, cid)
        if to is None:
            await self.chats.requeue(conv, counselor.id, "system.transferred_queue")
            return
        target = await self.store.counselors.get(to)
        if target is None or target.disabled or target.id == counselor.id:
            raise HelpchatError("not_found", "error.target_unavailable")
        status = await self.store.queue.transfer(
            cid, counselor.id, target.id,
            to_max_chats=min(target.max_chats, self.ctx.settings.max_chats_limit),
        )
        if status == "conflict":
            raise HelpchatError("conflict")
        if status != "ok":
            raise HelpchatError("forbidden", "error.target_unavailable")
        kind = "take_over" if taken_by else "transfer"
        log.info("chat handed over conversation=%s from=%s to=%s kind=%s", cid, counselor.id,
                 target.id, kind)
        await self.store.stats.count(f"handover_{kind}")
        if note:
            await self.store.supervision.add_whisper(
                cid, note, (taken_by or counselor).shown_name, self.ctx.now_ms(),
                kind="takeover" if taken_by else "handover")
        await self.chats.system_message(conv, "system.transferred",
                                        name=display_names.for_visitors(target, conv.lang))
        # The giver's pane stays readable ("handed to ..."); a take-over's note is for them.
        ended: dict[str, Any] = {"conversation_id": cid, "by": "counselor",
                                 "reason": "transferred", "to_name": target.shown_name}
        if taken_by:
            ended.update(reason="taken_over", note=note)
        await self.ctx.sio.emit("chat_ended", ended, room=counselor_room(counselor.id),
                                namespace=COUNSELOR_NS)
        await self.pushes.push_duty(counselor)
        await self._announce_assignment(conv, target, {
            "kind": kind, "from_name": counselor.shown_name, "note": None if taken_by else note,
        })

    async def block(self, counselor: Counselor, cid: str, reason: str) -> None:
        conv = await self.conversation(counselor, cid)
        await self.chats.block_session(conv, counselor, reason)
        log.info("visitor blocked conversation=%s counselor=%s", cid, counselor.id)
        await self.chats.end(cid, by="counselor", reason="blocked")
