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
    "board", "monitor", "unmonitor", "whisper", "take_over", "debrief_done", "call_back_done",
})


async def board(hub: Hub, lang: str) -> dict[str, Any]:
    """Every active chat with its counselor, age and reply wait; every counselor on duty or
    with chats, with their state (cool-down, help asked, wrap-up open); debrief and call-back
    requests."""
    store = hub.store
    counselors = {c.id: c for c in await store.counselors.all()}
    duty = await store.counselors.on_duty()
    help_requests = await store.supervision.help_requests()
    asking = {request.counselor_id for request in help_requests.values()}
    cooldowns = await store.wellbeing.cooldowns(list(counselors))
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
            "cooldown_until_ms": cooldowns.get(counselor.id),
            "help_requested": counselor.id in asking,
        })
        mine = [conv for conv in await store.conversations.get_many(active)
                if conv.state == "active" and conv.counselor_id == counselor.id]
        waits = await store.conversations.waiting_since([conv.id for conv in mine])
        chats.extend(_board_chat(conv, counselor, lang, help_requests, waits[conv.id])
                     for conv in mine)
    chats.sort(key=lambda c: (not c["urgent"], c["started_ms"] or 0))
    return {"chats": chats, "counselors": people,
            "debriefs": _requests(await store.supervision.debriefs(), counselors),
            "call_backs": _requests(await store.wellbeing.call_backs(), counselors),
            "queue_length": await store.queue.length()}


def _requests(asked: dict[str, int], counselors: dict[str, Counselor]) -> list[dict[str, Any]]:
    return [{"counselor_id": cid, "counselor_name": counselors[cid].shown_name,
             "requested_ms": ms}
            for cid, ms in sorted(asked.items(), key=lambda item: item[1]) if cid in counselors]


def _board_chat(conv: Conversation, counselor: Counselor, lang: str,
                help_requests: dict[str, Any], waiting_since_ms: int | None) -> dict[str, Any]:
    request = help_requests.get(conv.id)
    return {
        "conversation_id": conv.id,
        "counselor_id": counselor.id,
        "counselor_name": counselor.shown_name,
        "pseudonym": identity.pseudonym(conv.pseudonym_code, lang),
        "topic": conv.topic,
        "urgent": conv.urgent,
        "lang": conv.lang,
        "started_ms": conv.started_ms,
        "waiting_since_ms": waiting_since_ms,
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
        await self._set_watching(sid, cid, True)
        await self._tell_watchers(conv, await self.hub.store.supervision.watch(
            cid, sid, supervisor.shown_name))
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
        await self._unwatch(sid, cid)
        return payloads.ok()

    # who is watching: the chat's counselor sees "<name> kijkt mee" ----------------------------
    async def _set_watching(self, sid: str, cid: str, on: bool) -> None:
        async with self.session(sid) as session:
            watching = set(session.get("watching", ()))
            if on:
                watching.add(cid)
            else:
                watching.discard(cid)
            session["watching"] = sorted(watching)

    async def _unwatch(self, sid: str, cid: str) -> None:
        await self.leave_room(sid, watch_room(cid))
        await self._set_watching(sid, cid, False)
        await self._watch_gone(sid, cid)

    async def _watch_gone(self, sid: str, cid: str) -> None:
        names = await self.hub.store.supervision.unwatch(cid, sid)
        conv = await self.hub.store.conversations.get(cid)
        if conv and conv.state == "active":
            await self._tell_watchers(conv, names)

    async def _tell_watchers(self, conv: Conversation, names: list[str]) -> None:
        await self.emit("watchers", {"conversation_id": conv.id, "names": names},
                        room=counselor_room(conv.counselor_id or ""))

    async def supervisor_disconnect(self, sid: str, session: dict[str, Any]) -> None:
        """A closed tab stops monitoring: its counselors no longer read "kijkt mee"."""
        for cid in session.get("watching", ()):
            await self._watch_gone(sid, cid)

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
        """Take a chat over, with an optional note for the counselor who had it. Off duty,
        `go_on_duty: true` puts the supervisor on duty first, in the same step."""
        body = validation.payload(data)
        cid = validation.conversation_id(body)
        note = validation.optional_text(body, "note", validation.MAX_REASON)
        go_on_duty = validation.optional_bool(body, "go_on_duty")
        supervisor = await self.supervisor(sid)
        hub = self.hub
        conv = await self._active(cid)
        if conv.counselor_id == supervisor.id:
            raise HelpchatError("conflict", "console.error.already_yours")
        previous = await hub.store.counselors.get(conv.counselor_id or "")
        if previous is None:
            raise HelpchatError("not_found")
        was = await hub.store.counselors.duty(supervisor.id)
        if was != "on":
            if not go_on_duty:
                raise HelpchatError("forbidden", "console.error.take_over_duty")
            await hub.counselors.set_duty(supervisor, "on")
        # The transfer script checks atomically that the chat is still the previous
        # counselor's and that the supervisor has room.
        try:
            await hub.counselors.transfer(previous, cid, supervisor.id, note, taken_by=supervisor)
        except HelpchatError as exc:
            if was != "on":
                await hub.counselors.set_duty(supervisor, was)
            if exc.code == "forbidden":
                raise HelpchatError("forbidden", "error.chat_limit") from None
            raise
        await hub.store.supervision.clear_help(cid)
        log.info("take over conversation=%s supervisor=%s", cid, supervisor.id)
        await self.emit("board_changed", {}, room=SUPERVISORS_ROOM)
        return payloads.ok(duty=await hub.pushes.duty_payload(supervisor))

    async def on_call_back_done(self, sid: str, data: Any) -> dict[str, Any]:
        counselor_id = validation.counselor_id(validation.payload(data))
        await self.supervisor(sid)
        await self.hub.store.wellbeing.call_back_done(counselor_id)
        await self.emit("board_changed", {}, room=SUPERVISORS_ROOM)
        return payloads.ok()

    async def on_debrief_done(self, sid: str, data: Any) -> dict[str, Any]:
        counselor_id = validation.counselor_id(validation.payload(data))
        await self.supervisor(sid)
        await self.hub.store.supervision.clear_debrief(counselor_id)
        await self.emit("board_changed", {}, room=SUPERVISORS_ROOM)
        return payloads.ok()
