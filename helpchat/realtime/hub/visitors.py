"""The young person's moves: a session, a place in the queue, messages, typing, the end."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from helpchat import identity
from helpchat.errors import HelpchatError
from helpchat.realtime import payloads
from helpchat.realtime.hub.context import HubContext
from helpchat.realtime.hub.lifecycle import Lifecycle
from helpchat.realtime.hub.proof import ProofGate
from helpchat.realtime.hub.pushes import Load, Pushes
from helpchat.store.models import Conversation, Message, VisitorSession

log = logging.getLogger("helpchat.realtime.hub")


class VisitorSide:
    def __init__(self, ctx: HubContext, pushes: Pushes, chats: Lifecycle,
                 gate: ProofGate) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.pushes = pushes
        self.chats = chats
        self.gate = gate

    async def open_session(self, token: str | None, lang: str) -> tuple[str, VisitorSession]:
        """(token, session) for a connecting visitor: its own back (a blocked one stays
        blocked until the block ends), or a fresh one, not stored until it asks for a chat,
        when the token is unknown or expired."""
        secret = self.ctx.settings.secret_key
        if token:
            vid = identity.visitor_id(secret, token)
            session = await self.store.sessions.get(vid)
            if session:
                if session.lang != lang:
                    await self.store.sessions.set_lang(vid, lang)
                return token, session
        token = identity.new_token()
        vid = identity.visitor_id(secret, token)
        return token, VisitorSession(vid, lang, "idle", None, False, stored=False)

    def session_payload(self, token: str, session: VisitorSession) -> dict[str, Any]:
        return {
            "token": token,
            "pseudonym": identity.pseudonym(identity.pseudonym_code(session.vid), session.lang),
            # Blocked: the widget shows the contacts and no way to a new chat; never why.
            "state": "blocked" if session.blocked else session.state,
            "conversation_id": None if session.blocked else session.conversation_id,
        }

    async def request_chat(self, session: VisitorSession, topic: str | None,
                           urgent: bool, proof: Any = None,
                           reading: tuple[dict[str, Any], Load] | None = None
                           ) -> dict[str, Any]:
        """`reading`: the availability and load (Pushes.availability_and_load) as read by the
        caller together with the session, in the same round trip."""
        if session.blocked:
            raise HelpchatError("blocked")
        current, load = reading or await self.pushes.availability_and_load(session.lang)
        already = session.state in ("queued", "chatting") and session.conversation_id
        if not current["available"] and not already:
            await self.turned_away(session, current)
            raise HelpchatError("closed", extra={"availability": current})
        # A retry of a join that went through costs nothing; under a flood an urgent join
        # may lose its priority (it stays marked urgent for the counselors).
        ranked = await self.gate.admit(proof, urgent=urgent) if not already else urgent
        now = self.ctx.now_ms()
        status, cid, position = await self.store.queue.enqueue(
            vid=session.vid, cid=identity.new_id(), now_ms=now, topic=topic,
            urgent=urgent, ranked=ranked, cap=self.ctx.settings.queue_cap,
            pseudonym_code=identity.pseudonym_code(session.vid), lang=session.lang,
            # The first request that got this far: the session is stored from now on.
            new_session=None if session.stored
            else self.store.sessions.new_session_args(session.lang, now),
        )
        if status == "blocked":
            raise HelpchatError("blocked")
        if status == "full":
            current = await self.pushes.availability(session.lang)
            await self.turned_away(session, {**current, "reason": "queue_full"})
            raise HelpchatError("closed", extra={"availability": current})
        if status not in ("ok", "exists") or cid is None:
            raise HelpchatError("not_found")
        estimate = load.wait_for(position) if position else None
        if status == "ok":
            # Independent writes, issued together: one round trip (store/batching.py).
            await asyncio.gather(
                self.store.sessions.keep(session.vid),
                self.store.insights.offered(now),
                # On the conversation: abandonment is judged against what was promised.
                self.store.conversations.note_estimate(cid, estimate),
                self.store.stats.count("chats_requested"))
            log.info("chat requested conversation=%s urgent=%s", cid, urgent)
            await self.pushes.push_queue()
        return payloads.ok(conversation_id=cid, position=position, estimated_wait_s=estimate)

    async def turned_away(self, session: VisitorSession, current: dict[str, Any],
                          asked: bool = True) -> None:
        """The widget is showing this visitor "not available": demand nobody could answer,
        counted once per visit, when a request is refused or (asked=False) when the widget
        opens on "not available" or an open one switches to it (an idle visitor; a queued or
        chatting one sees the chat)."""
        if current["available"] or (not asked and session.state != "idle"):
            return
        if await self.store.sessions.mark_turned_away(session.vid):
            await self.store.insights.turned_away(current["reason"], self.ctx.now_ms())

    async def conversation(self, session: VisitorSession) -> Conversation:
        if not session.conversation_id or session.state not in ("queued", "chatting"):
            raise HelpchatError("closed", "error.no_chat")
        conv = await self.store.conversations.get(session.conversation_id)
        if conv is None or conv.state == "ended":
            raise HelpchatError("closed", "error.no_chat")
        return conv

    async def message(self, session: VisitorSession, client_id: str, text: str) -> Message:
        cid = session.conversation_id
        if not cid:
            raise HelpchatError("closed", "error.no_chat")
        try:
            return await self.chats.add_message(cid, sender="visitor", text=text,
                                                client_id=client_id, owner=("vid", session.vid))
        except HelpchatError as exc:
            if exc.code == "not_found":  # ended, and its transcript already deleted
                raise HelpchatError("closed", "error.no_chat") from None
            raise

    async def leave_queue(self, session: VisitorSession) -> None:
        conv = await self.conversation(session)
        if conv.state != "queued":
            raise HelpchatError("conflict", "error.not_queued")
        await self.chats.end(conv.id, by="visitor", reason="left_queue")

    async def end_chat(self, session: VisitorSession) -> None:
        conv = await self.conversation(session)
        await self.chats.end(conv.id, by="visitor", reason=None)

    async def typing(self, session: VisitorSession, typing: bool) -> None:
        conv = await self.conversation(session)
        if await self.chats.spend("typing", ("vid", session.vid)):
            await self.chats.to_console(conv.id, conv.counselor_id, "typing",
                                        {"conversation_id": conv.id, "typing": typing})

    async def feedback(self, session: VisitorSession, rating: int, comment: str | None) -> None:
        if session.state != "ended":
            raise HelpchatError("conflict", "error.feedback_not_ended")
        await self.store.stats.count(f"rating_{rating}")
        await self.store.insights.feedback(rating, comment, self.ctx.now_ms())
        await self.store.sessions.reset_after_end(session.vid)

    async def forget(self, session: VisitorSession, reason: str) -> None:
        """End whatever the session has going and delete it: the token is dead afterwards."""
        if session.conversation_id and session.state in ("queued", "chatting"):
            await self.chats.end(session.conversation_id, by="visitor", reason=reason)
        await self.store.sessions.delete(session.vid)
        await self.store.presence.forget("v", session.vid)

    async def presence(self, session: VisitorSession, connected: bool) -> None:
        """Counselors see "visitor disconnected / reconnected" in the chat, or the queue entry
        turn away and back (an away entry counts for neither the cap nor take-next)."""
        if session.state == "queued":
            await self.pushes.push_queue()
            return
        if session.state != "chatting" or not session.conversation_id:
            return
        conv = await self.store.conversations.get(session.conversation_id)
        if conv and conv.counselor_id:
            await self.chats.to_console(conv.id, conv.counselor_id, "visitor_presence",
                                        {"conversation_id": conv.id, "connected": connected})
