"""Supervisor-only events on /counselor: the live board, silent monitoring, whispers, taking a
chat over, and closing debrief requests.

Every handler checks the sender's role itself (require_supervisor) on every event: hiding the
buttons in the console is a convenience, never the protection.
"""

from __future__ import annotations

import logging
from typing import Any

from helpchat import identity, validation
from helpchat.errors import HelpchatError
from helpchat.realtime import payloads
from helpchat.realtime.console_events import ConsoleEvents, require_supervisor, whisper_payload
from helpchat.realtime.hub import SUPERVISORS_ROOM, Hub, counselor_room, watch_room
from helpchat.store.models import Conversation, Counselor

log = logging.getLogger(__name__)

SUPERVISOR_EVENTS = frozenset({
    "board", "monitor", "unmonitor", "whisper", "take_over", "debrief_done",
})


async def board(hub: Hub, lang: str) -> dict[str, Any]:
    """Every active chat with its counselor, the counselors on duty, and debrief requests."""
    store = hub.store
    counselors = {c.id: c for c in await store.counselors.all()}
    duty = await store.counselors.on_duty()
    help_requests = await store.supervision.help_requests()
    chats: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    for counselor in counselors.values():
        active = sorted(await store.counselors.active_chats(counselor.id))
        status = duty.get(counselor.id, "off")
        if status == "off" and not active:
            continue
        people.append({
            "id": counselor.id, "name": counselor.shown_name, "status": status,
            "active_chats": len(active), "max_chats": counselor.max_chats,
            "wrap_ups": len(await store.wrapups.pending(counselor.id)),
        })
        for conv in await store.conversations.get_many(active):
            if conv.state == "active" and conv.counselor_id == counselor.id:
                chats.append(_board_chat(conv, counselor, lang, help_requests))
    chats.sort(key=lambda c: (not c["urgent"], c["started_ms"] or 0))
    debriefs = [{"counselor_id": cid, "counselor_name": counselors[cid].shown_name,
                 "requested_ms": ms}
                for cid, ms in sorted((await store.supervision.debriefs()).items(),
                                      key=lambda item: item[1])
                if cid in counselors]
    return {"chats": chats, "counselors": people, "debriefs": debriefs,
            "queue_length": await store.queue.length()}


def _board_chat(conv: Conversation, counselor: Counselor, lang: str,
                help_requests: dict[str, Any]) -> dict[str, Any]:
    request = help_requests.get(conv.id)
    return {
        "conversation_id": conv.id,
        "counselor_id": counselor.id,
        "counselor_name": counselor.shown_name,
        "pseudonym": identity.pseudonym(conv.pseudonym_code, lang),
        "topic": conv.topic,
        "urgent": conv.urgent,
        "started_ms": conv.started_ms,
        "help_requested_ms": request.ts_ms if request else None,
    }


class SupervisorEvents(ConsoleEvents):
    async def supervisor(self, sid: str) -> Counselor:
        counselor = await self.counselor(sid)
        require_supervisor(counselor)
        return counselor

    async def _active(self, cid: str) -> Conversation:
        conv = await self.hub.store.conversations.get(cid)
        if conv is None or conv.state != "active" or not conv.counselor_id:
            raise HelpchatError("not_found")
        return conv

    async def on_board(self, sid: str, data: Any) -> dict[str, Any]:
        validation.payload(data)
        await self.supervisor(sid)
        return payloads.ok(**await board(self.hub, await self.language(sid)))

    async def on_monitor(self, sid: str, data: Any) -> dict[str, Any]:
        """Join the chat's watch room: its messages, typing and end arrive read-only."""
        cid = validation.conversation_id(validation.payload(data))
        supervisor = await self.supervisor(sid)
        conv = await self._active(cid)
        await self.enter_room(sid, watch_room(cid))
        log.info("monitor conversation=%s supervisor=%s", cid, supervisor.id)
        owner = await self.hub.store.counselors.get(conv.counselor_id or "")
        conversation = await self.hub.counselors.conversation_payload(conv)
        conversation["counselor_id"] = conv.counselor_id
        conversation["counselor_name"] = owner.shown_name if owner else None
        whispers = await self.hub.store.supervision.whispers(cid)
        return payloads.ok(conversation=conversation,
                           whispers=[whisper_payload(w) for w in whispers])

    async def on_unmonitor(self, sid: str, data: Any) -> dict[str, Any]:
        cid = validation.conversation_id(validation.payload(data))
        await self.supervisor(sid)
        await self.leave_room(sid, watch_room(cid))
        return payloads.ok()

    async def on_whisper(self, sid: str, data: Any) -> dict[str, Any]:
        """A note for the chat's counselor only: stored apart from the conversation's messages
        and sent to the counselor's and the watchers' rooms, never to the visitor."""
        body = validation.payload(data)
        cid = validation.conversation_id(body)
        text = validation.message_text(body, self.hub.settings.max_message_chars)
        supervisor = await self.supervisor(sid)
        conv = await self._active(cid)
        whisper = await self.hub.store.supervision.add_whisper(cid, text, supervisor.shown_name,
                                                               self.hub.now_ms())
        log.info("whisper conversation=%s supervisor=%s", cid, supervisor.id)
        data_out = whisper_payload(whisper)
        await self.emit("whisper", data_out, room=counselor_room(conv.counselor_id or ""))
        await self.emit("whisper", data_out, room=watch_room(cid))
        return payloads.ok(whisper=data_out)

    async def on_take_over(self, sid: str, data: Any) -> dict[str, Any]:
        cid = validation.conversation_id(validation.payload(data))
        supervisor = await self.supervisor(sid)
        hub = self.hub
        conv = await self._active(cid)
        if conv.counselor_id == supervisor.id:
            raise HelpchatError("conflict", "console.error.already_yours")
        if await hub.store.counselors.duty(supervisor.id) != "on":
            raise HelpchatError("forbidden", "console.error.take_over_duty")
        previous = await hub.store.counselors.get(conv.counselor_id or "")
        if previous is None:
            raise HelpchatError("not_found")
        # The transfer script checks atomically that the chat is still the previous
        # counselor's and that the supervisor has room.
        try:
            await hub.counselors.transfer(previous, cid, supervisor.id)
        except HelpchatError as exc:
            if exc.code == "forbidden":
                raise HelpchatError("forbidden", "error.chat_limit") from None
            raise
        await hub.store.supervision.clear_help(cid)
        log.info("take over conversation=%s supervisor=%s", cid, supervisor.id)
        await self.emit("taken_over", {"conversation_id": cid, "by_name": supervisor.shown_name},
                        room=counselor_room(previous.id))
        await self.emit("board_changed", {}, room=SUPERVISORS_ROOM)
        return payloads.ok()

    async def on_debrief_done(self, sid: str, data: Any) -> dict[str, Any]:
        counselor_id = validation.counselor_id(validation.payload(data))
        await self.supervisor(sid)
        await self.hub.store.supervision.clear_debrief(counselor_id)
        await self.emit("board_changed", {}, room=SUPERVISORS_ROOM)
        return payloads.ok()
