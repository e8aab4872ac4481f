"""Namespace /visitor: anonymous young people, identified only by the HMAC of their token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from helpchat import display_names, validation, widget_texts
from helpchat.errors import HelpchatError
from helpchat.i18n import normalize_language
from helpchat.realtime import payloads
from helpchat.realtime.hub import lang_room, visitor_room
from helpchat.realtime.question_events import VISITOR_QUESTION_EVENTS, VisitorQuestionEvents
from helpchat.store.models import VisitorSession

log = logging.getLogger(__name__)
T = TypeVar("T")


class VisitorNamespace(VisitorQuestionEvents):
    events = frozenset({
        "request_chat", "leave_queue", "message", "typing", "sync", "end_chat", "feedback",
        "forget_me", "unavailable_shown",
    }) | VISITOR_QUESTION_EVENTS

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> None:
        token, lang_value = validation.visitor_auth(auth)
        await self.hub.arrivals.enter()  # a flood of connects waits, not the chats under way
        lang = normalize_language(lang_value, self.hub.settings.default_language)
        token, session = await self.hub.visitors.open_session(token, lang)
        # "kept": the session is in Redis; if it vanishes later (forget_me in another tab,
        # expiry) this socket is unauthorized. A visit not stored yet is simply idle.
        await self.save_session(sid, {"vid": session.vid, "lang": lang, "kept": session.stored,
                                      "tracked": False})
        await self.enter_room(sid, lang_room(lang))
        if session.stored:
            await self._track(sid, session.vid)
        log.info("visitor connected sid=%s state=%s", sid, session.state)
        await self.after_connect(sid, self._welcome(sid, token, session))

    async def _welcome(self, sid: str, token: str, session: VisitorSession) -> None:
        await self.emit("session", self.hub.visitors.session_payload(token, session), to=sid)
        current = await self.hub.pushes.recent_availability(session.lang)
        await self.emit("availability", current, to=sid)
        await self.hub.visitors.turned_away(session, current, asked=False)
        if session.state == "queued" and session.conversation_id:
            position = await self.hub.store.queue.position(session.conversation_id)
            if position:
                wait = await self.hub.pushes.estimate(position)
                await self.emit("queue_position",
                                {"position": position, "estimated_wait_s": wait}, to=sid)
            await self.hub.visitors.presence(session, connected=True)
        elif session.state == "chatting" and session.conversation_id:
            conv = await self.hub.store.conversations.get(session.conversation_id)
            counselor = conv and conv.counselor_id and \
                await self.hub.store.counselors.get(conv.counselor_id)
            if conv and counselor:
                await self.emit("chat_started", {
                    "conversation_id": conv.id,
                    "counselor_name": display_names.for_visitors(counselor, conv.lang)}, to=sid)
            await self.hub.visitors.presence(session, connected=True)

    async def _track(self, sid: str, vid: str) -> None:
        """In the visitor's room (what its chat sends) and in presence (counselors see it come
        and go). An idle visit is in neither, so a flood of sessions opened and dropped costs
        Redis nothing and a socket less memory: its id is new, so this is its only socket
        until it asks for a chat."""
        async with self.session(sid) as saved:
            saved["tracked"] = True
        await self.enter_room(sid, visitor_room(vid))
        await self.hub.store.presence.connect("v", vid, sid)

    async def _saved(self, sid: str) -> dict[str, Any]:
        """What the socket remembers of its visit (on_connect saves it; python-socketio
        answers {} before that)."""
        try:
            saved: dict[str, Any] = await self.get_session(sid)
        except KeyError:
            saved = {}
        if "vid" not in saved:
            raise HelpchatError("unauthorized")
        return saved

    async def _tracked_session(self, sid: str) -> VisitorSession:
        """The socket's session, read now, and the socket tracked from now on: before a
        request, as a counselor may take the chat before its ack is sent. Both in one round
        trip (store/batching.py)."""
        saved = await self._saved(sid)
        if saved["tracked"]:
            return await self._session(sid)
        session, _ = await asyncio.gather(self._session(sid), self._track(sid, saved["vid"]))
        return session

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        try:
            saved = await self.get_session(sid)
        except KeyError:
            return
        if not saved.get("tracked"):
            return
        vid = saved["vid"]
        left = await self.hub.store.presence.disconnect("v", vid, sid, self.hub.now_ms())
        session = await self.hub.store.sessions.get(vid) if left == 0 else None
        if session:
            await self.hub.visitors.presence(session, connected=False)

    async def _session(self, sid: str, recent: bool = False) -> VisitorSession:
        """The socket's session, read now (recent: from the one-second memory of a session
        in a chat; see `_in_chat`)."""
        saved = await self._saved(sid)
        vid = saved["vid"]
        sessions = self.hub.store.sessions
        session = await (sessions.recent_chat(vid) if recent else sessions.get(vid))
        if session is None:
            if saved.get("kept"):  # forgotten (forget_me) or expired
                raise HelpchatError("unauthorized")
            return VisitorSession(vid, saved["lang"], "idle", None, False, stored=False)
        return session

    async def on_request_chat(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        topic = validation.topic(body, widget_texts.all_topics(self.hub.settings))
        urgent = validation.optional_bool(body, "urgent")
        # Back from a question thread opened on this connection, to chat with its counselor.
        tid = await self._thread_of(sid, body) if body.get("thread_id") is not None else None
        # The session and the availability it asks against, in one round trip (batching.py);
        # the contacts in this socket's language, as its widget shows them.
        lang = (await self._saved(sid))["lang"]
        session, reading = await asyncio.gather(self._tracked_session(sid),
                                                self.hub.pushes.availability_and_load(lang))
        ack = await self.hub.visitors.request_chat(session, topic, urgent,
                                                   validation.proof(body), reading)
        async with self.session(sid) as saved:
            saved["kept"] = True
        if tid and session.state not in ("queued", "chatting"):
            ack["same_counselor"] = await self.hub.questions.return_live(
                ack["conversation_id"], tid)
        return ack

    async def on_leave_queue(self, sid: str, data: Any) -> dict[str, Any]:
        validation.payload(data)
        await self.hub.visitors.leave_queue(await self._session(sid))
        return payloads.ok()

    async def _in_chat(self, sid: str, move: Callable[[VisitorSession], Awaitable[T]]) -> T:
        """A youth's message or keystroke, with the session from memory: one Redis round trip
        fewer on the busiest path. The chat remembered may have ended meanwhile (and another
        begun): then the move is tried once more with the session read afresh."""
        try:
            return await move(await self._session(sid, recent=True))
        except HelpchatError as exc:
            if exc.code != "closed":
                raise
        return await move(await self._session(sid))

    async def on_message(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        client_id = validation.client_id(body)
        text = validation.message_text(body, self.hub.settings.max_message_chars)
        msg = await self._in_chat(
            sid, lambda session: self.hub.visitors.message(session, client_id, text))
        return payloads.ok(message=payloads.message(msg))

    async def on_typing(self, sid: str, data: Any) -> dict[str, Any]:
        typing = validation.required_bool(validation.payload(data), "typing")
        await self._in_chat(sid, lambda session: self.hub.visitors.typing(session, typing))
        return payloads.ok()

    async def on_sync(self, sid: str, data: Any) -> dict[str, Any]:
        after, before, limit = validation.page_request(validation.payload(data))
        session = await self._session(sid)
        messages, more = [], False
        if session.conversation_id:
            page = await self.hub.chats.page(session.conversation_id, after=after,
                                             before=before, limit=limit)
            messages, more = page.messages, page.more
        return payloads.ok(state=session.state, conversation_id=session.conversation_id,
                           messages=[payloads.message(m) for m in messages], more=more)

    async def on_end_chat(self, sid: str, data: Any) -> dict[str, Any]:
        validation.payload(data)
        await self.hub.visitors.end_chat(await self._session(sid))
        return payloads.ok()

    async def on_feedback(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        rating = validation.rating(body)
        comment = validation.optional_text(body, "comment", validation.MAX_COMMENT)
        await self.hub.visitors.feedback(await self._session(sid), rating, comment)
        return payloads.ok()

    async def on_unavailable_shown(self, sid: str, data: Any) -> dict[str, Any]:
        """The open widget switched to "not available" on an availability push: turned away,
        once per visit. The claim is checked, not trusted: only an idle visit counts, and only
        while the service really is unavailable."""
        validation.payload(data)
        session = await self._session(sid)
        current = await self.hub.pushes.availability(session.lang)
        await self.hub.visitors.turned_away(session, current, asked=False)
        return payloads.ok()

    async def on_forget_me(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        reason = "quick_exit" if body.get("reason") == "quick_exit" else "forget_me"
        await self.hub.visitors.forget(await self._session(sid), reason)
        return payloads.ok()
