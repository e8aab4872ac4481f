"""Namespace /counselor: logged-in counselors (session cookie from /login or POST /api/session)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import socketio

from helpchat import two_factor, validation
from helpchat.errors import HelpchatError
from helpchat.realtime import payloads
from helpchat.realtime.console_events import CONSOLE_EVENTS, socket_language
from helpchat.realtime.hub import QUEUE_ROOM, counselor_room
from helpchat.realtime.question_events import (
    COUNSELOR_QUESTION_EVENTS,
    CounselorQuestionEvents,
)
from helpchat.realtime.supervisor import SUPERVISOR_EVENTS, SupervisorEvents
from helpchat.store.models import Counselor
from helpchat.web.origins import same_origin
from helpchat.web.session_cookie import session_id_from_header

log = logging.getLogger(__name__)


class CounselorNamespace(SupervisorEvents, CounselorQuestionEvents):
    events = frozenset({
        "set_duty", "take", "message", "typing", "sync", "end_chat", "transfer", "block",
        "shed",
    }) | CONSOLE_EVENTS | SUPERVISOR_EVENTS | COUNSELOR_QUESTION_EVENTS

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        origin = environ.get("HTTP_ORIGIN")
        if origin and not same_origin(origin, environ, self.hub.settings):
            # Counselors only connect from this server's own pages (no cross-site websockets).
            raise socketio.exceptions.ConnectionRefusedError("forbidden")
        session_id = session_id_from_header(environ.get("HTTP_COOKIE", ""), self.hub.settings)
        login = session_id and await self.hub.store.auth.get(session_id, self.hub.now_ms())
        counselor = login and await self.hub.store.counselors.recent(login.counselor_id,
                                                                     refresh=True)
        if not login or not counselor or counselor.disabled:
            raise socketio.exceptions.ConnectionRefusedError("unauthorized")
        if two_factor.required(self.hub.settings, counselor) and \
                not await self.hub.store.two_factor.sealed_secret(counselor.id):
            # An admin in production sets up two-factor login first (the console page sends
            # the browser there; this keeps a session from before, or any other client, out).
            raise socketio.exceptions.ConnectionRefusedError("forbidden")
        await self.save_session(sid, {"counselor_id": counselor.id, "login": login.digest,
                                      "lang": socket_language(
                                          auth, self.hub.settings.default_language)})
        await self.enter_room(sid, counselor_room(counselor.id))
        await self.enter_room(sid, QUEUE_ROOM)
        await self.console_connect(sid, counselor)
        await self.hub.store.presence.connect("c", counselor.id, sid)
        await self.hub.store.auth.add_socket(login.digest, sid)
        log.info("counselor connected sid=%s counselor=%s", sid, counselor.id)
        await self.after_connect(sid, self._welcome(sid, counselor))

    async def _welcome(self, sid: str, counselor: Counselor) -> None:
        await self.emit("duty", await self.hub.pushes.duty_payload(counselor), to=sid)
        now = self.hub.now_ms()
        entries = await self.hub.store.queue.entries()
        lang = self.hub.settings.default_language
        await self.emit("queue", {"entries": [payloads.queue_entry(e, now, lang)
                                              for e in entries]}, to=sid)
        for cid in sorted(await self.hub.store.counselors.active_chats(counselor.id)):
            conv = await self.hub.store.conversations.get(cid)
            if conv and conv.state == "active" and conv.counselor_id == counselor.id:
                payload = await self.hub.counselors.conversation_payload(conv, counselor.id)
                await self.emit("assigned", {"conversation": payload}, to=sid)
        await self.console_welcome(sid, counselor)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        try:
            session = await self.get_session(sid)
        except KeyError:
            return
        await self.hub.store.presence.disconnect("c", session["counselor_id"], sid,
                                                          self.hub.now_ms())
        await self.hub.store.auth.remove_socket(session["login"], sid)
        await self.supervisor_disconnect(sid, session)

    async def counselor(self, sid: str) -> Counselor:
        """The sender, checked on every event: a disabled account is refused at once."""
        try:
            counselor_id = (await self.get_session(sid))["counselor_id"]
        except KeyError:
            raise HelpchatError("unauthorized") from None
        counselor = await self.hub.store.counselors.recent(counselor_id)
        if counselor is None or counselor.disabled:
            # Closed only after this event's ack has gone out, so the client learns why.
            self.server.start_background_task(self._disconnect_soon, sid)
            raise HelpchatError("unauthorized")
        return counselor

    async def _disconnect_soon(self, sid: str) -> None:
        await asyncio.sleep(0.1)
        await self.disconnect(sid)

    async def on_set_duty(self, sid: str, data: Any) -> dict[str, Any]:
        state = validation.duty_state(validation.payload(data))
        duty = await self.hub.counselors.set_duty(await self.counselor(sid), state)
        return payloads.ok(**duty)

    async def on_take(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        cid = validation.conversation_id(body) if body.get("conversation_id") is not None \
            else None
        conversation = await self.hub.counselors.take(await self.counselor(sid), cid)
        return payloads.ok(conversation=conversation)

    async def on_message(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        cid = validation.conversation_id(body)
        client_id = validation.client_id(body)
        text = validation.message_text(body, self.hub.settings.max_message_chars)
        msg = await self.hub.counselors.message(await self.counselor(sid), cid, client_id, text)
        return payloads.ok(message=payloads.message(msg))

    async def on_typing(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        cid = validation.conversation_id(body)
        typing = validation.required_bool(body, "typing")
        await self.hub.counselors.typing(await self.counselor(sid), cid, typing)
        return payloads.ok()

    async def on_sync(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        cid = validation.conversation_id(body)
        after, before, limit = validation.page_request(body)
        await self.hub.counselors.conversation(await self.counselor(sid), cid)
        page = await self.hub.chats.page(cid, after=after, before=before, limit=limit)
        return payloads.ok(messages=[payloads.message(m) for m in page.messages],
                           more=page.more)

    async def on_end_chat(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        cid = validation.conversation_id(body)
        reason = validation.optional_text(body, "reason", validation.MAX_REASON)
        await self.hub.counselors.end_chat(await self.counselor(sid), cid, reason)
        return payloads.ok()

    async def on_transfer(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        cid = validation.conversation_id(body)
        to = validation.transfer_target(body)
        note = validation.optional_text(body, "note", validation.MAX_REASON)
        await self.hub.counselors.transfer(await self.counselor(sid), cid, to, note)
        return payloads.ok()

    async def on_shed(self, sid: str, data: Any) -> dict[str, Any]:
        cid, kind, block = validation.shed(validation.payload(data))
        await self.hub.shedding.shed(await self.counselor(sid), cid, kind, block)
        return payloads.ok()

    async def on_block(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        cid = validation.conversation_id(body)
        reason = validation.optional_text(body, "reason", validation.MAX_REASON)
        if reason is None:
            raise HelpchatError("invalid", detail="reason is required")
        await self.hub.counselors.block(await self.counselor(sid), cid, reason)
        return payloads.ok()
