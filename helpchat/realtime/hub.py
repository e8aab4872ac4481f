"""The chat's moves, shared by both namespaces: each one calls the store, then tells every side.

Rooms (python-socketio rooms, shared across processes through the Redis client manager):
  /visitor   v:{vid}     every tab of one visitor session
  /visitor   lang:{xx}   every visitor using language xx (availability pushes)
  /counselor c:{id}      every tab of one counselor
  /counselor queue       every connected counselor (queue pushes)
  /counselor supervisors every supervisor's tabs (board changes, help alerts)
  /counselor watch:{cid} supervisors silently monitoring conversation cid (read-only)
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import socketio

from helpchat import estimates, identity
from helpchat.availability import Capacity, RosterStatus, availability
from helpchat.config import LiveSettings, Settings
from helpchat.errors import HelpchatError
from helpchat.i18n import LANGUAGES, translate
from helpchat.realtime import payloads
from helpchat.store import Store, keys
from helpchat.store.models import Conversation, Counselor, Message, VisitorSession

log = logging.getLogger(__name__)

VISITOR_NS = "/visitor"
COUNSELOR_NS = "/counselor"
QUEUE_ROOM = "queue"
SUPERVISORS_ROOM = "supervisors"

# Reasons the server itself gives; anything else is a counselor's free text.
MACHINE_REASONS = frozenset({
    "left_queue", "blocked", "quick_exit", "forget_me", "visitor_gone", "transferred",
    "requeued", "taken_over",
})

RosterProvider = Callable[[int], Awaitable[RosterStatus | None]]
# (counselor id, now ms) -> may go on duty now (the roster and allow_unscheduled_duty)
DutyCheck = Callable[[str, int], Awaitable[bool]]


@dataclass(frozen=True)
class Load:
    """One reading of who can answer and who waits, shared by everything a push sends."""

    on_duty: int  # counselors on duty (not paused)
    slots: int  # their chat places, busy or free
    queue_length: int
    handle_times: list[int]  # recent chat durations, seconds

    def wait_for(self, position: int) -> int | None:
        return estimates.estimate_wait_s(position, self.handle_times, self.slots)


def visitor_room(vid: str) -> str:
    return f"v:{vid}"


def counselor_room(counselor_id: str) -> str:
    return f"c:{counselor_id}"


def lang_room(lang: str) -> str:
    return f"lang:{lang}"


def watch_room(cid: str) -> str:
    return f"watch:{cid}"


async def no_roster(_now_ms: int) -> RosterStatus | None:
    return None


async def any_time(_counselor_id: str, _now_ms: int) -> bool:
    return True


class Hub:
    def __init__(
        self,
        sio: socketio.AsyncServer,
        store: Store,
        settings: LiveSettings,
        *,
        clock: Callable[[], float] = time.time,
        roster: RosterProvider = no_roster,
        duty_check: DutyCheck = any_time,
    ) -> None:
        self.sio = sio
        self.store = store
        self.live = settings
        self.clock = clock
        self.roster = roster
        self.duty_check = duty_check

    def now_ms(self) -> int:
        return int(self.clock() * 1000)

    @property
    def settings(self) -> Settings:
        return self.live.current

    # availability ---------------------------------------------------------------------------
    async def load(self) -> Load:
        duty = await self.store.counselors.on_duty()
        on_ids = [cid for cid, state in duty.items() if state == "on"]
        limit = self.settings.max_chats_limit  # as take.lua is told: an account may say more
        slots = sum(min(c.max_chats, limit) for c in await self.store.counselors.many(on_ids))
        return Load(len(on_ids), slots, await self.store.queue.length(),
                    await self.store.stats.handle_times())

    async def estimate(self, position: int) -> int | None:
        return (await self.load()).wait_for(position)

    async def availability(self, lang: str) -> dict[str, Any]:
        return await self._availability(lang, await self.load(), await self.roster(self.now_ms()))

    async def _availability(self, lang: str, load: Load,
                            roster: RosterStatus | None) -> dict[str, Any]:
        capacity = Capacity(
            counselors_on_duty=load.on_duty,
            queue_length=load.queue_length,
            queue_cap=self.settings.queue_cap,
            estimated_wait_s=load.wait_for(load.queue_length + 1),
        )
        return availability(capacity, await self.store.contacts.list(lang), roster)

    async def push_availability(self, load: Load | None = None) -> None:
        """Tell every visitor when what they would see changed (deduplicated via Redis)."""
        load = load or await self.load()
        roster = await self.roster(self.now_ms())
        for lang in LANGUAGES:
            current = await self._availability(lang, load, roster)
            encoded = json.dumps(current, sort_keys=True)
            previous = await self.store.redis.set(
                keys.availability(lang), encoded, ex=keys.AVAIL_TTL, get=True
            )
            if previous != encoded:
                await self.sio.emit("availability", current, room=lang_room(lang),
                                    namespace=VISITOR_NS)

    # queue ----------------------------------------------------------------------------------
    async def push_queue(self, load: Load | None = None) -> None:
        """Queue to every counselor; position and estimate to every waiting visitor."""
        entries = await self.store.queue.entries()
        now = self.now_ms()
        lang = self.settings.default_language
        await self.sio.emit(
            "queue", {"entries": [payloads.queue_entry(e, now, lang) for e in entries]},
            room=QUEUE_ROOM, namespace=COUNSELOR_NS,
        )
        load = load or await self.load()
        for entry in entries:
            await self.sio.emit(
                "queue_position",
                {"position": entry.position, "estimated_wait_s": load.wait_for(entry.position)},
                room=visitor_room(entry.conversation.vid), namespace=VISITOR_NS,
            )
        await self.push_availability(load)

    # visitor side ---------------------------------------------------------------------------
    async def open_session(self, token: str | None, lang: str) -> tuple[str, VisitorSession]:
        """(token, session) for a connecting visitor: its own back, or a fresh one when the
        token is unknown, expired or blocked."""
        if token:
            vid = identity.visitor_id(self.settings.secret_key, token)
            session = await self.store.sessions.get(vid)
            if session and not session.blocked:
                if session.lang != lang:
                    await self.store.sessions.set_lang(vid, lang)
                return token, session
        token = identity.new_token()
        vid = identity.visitor_id(self.settings.secret_key, token)
        return token, await self.store.sessions.create(vid, lang, self.now_ms())

    def session_payload(self, token: str, session: VisitorSession) -> dict[str, Any]:
        return {
            "token": token,
            "pseudonym": identity.pseudonym(identity.pseudonym_code(session.vid), session.lang),
            "state": session.state,
            "conversation_id": session.conversation_id,
        }

    async def request_chat(self, session: VisitorSession, topic: str | None,
                           urgent: bool) -> dict[str, Any]:
        if session.blocked:
            raise HelpchatError("blocked")
        current = await self.availability(session.lang)
        already = session.state in ("queued", "chatting") and session.conversation_id
        if not current["available"] and not already:
            raise HelpchatError("closed", extra={"availability": current})
        status, cid = await self.store.queue.enqueue(
            vid=session.vid, cid=identity.new_id(), now_ms=self.now_ms(), topic=topic,
            urgent=urgent, cap=self.settings.queue_cap,
            pseudonym_code=identity.pseudonym_code(session.vid), lang=session.lang,
        )
        if status == "blocked":
            raise HelpchatError("blocked")
        if status == "full":
            raise HelpchatError("closed", extra={"availability": await self.availability(
                session.lang)})
        if status not in ("ok", "exists") or cid is None:
            raise HelpchatError("not_found")
        load = await self.load()
        if status == "ok":
            await self.store.stats.count("chats_requested")
            log.info("chat requested conversation=%s urgent=%s", cid, urgent)
            await self.push_queue(load)
        position = await self.store.queue.position(cid) or 0
        return payloads.ok(conversation_id=cid, position=position,
                           estimated_wait_s=load.wait_for(position) if position else None)

    async def visitor_conversation(self, session: VisitorSession) -> Conversation:
        if not session.conversation_id or session.state not in ("queued", "chatting"):
            raise HelpchatError("closed", "error.no_chat")
        conv = await self.store.conversations.get(session.conversation_id)
        if conv is None or conv.state == "ended":
            raise HelpchatError("closed", "error.no_chat")
        return conv

    async def visitor_message(self, session: VisitorSession, client_id: str,
                              text: str) -> Message:
        cid = session.conversation_id
        if not cid:
            raise HelpchatError("closed", "error.no_chat")
        try:
            return await self._add_message(cid, sender="visitor", text=text,
                                           client_id=client_id, owner=("vid", session.vid))
        except HelpchatError as exc:
            if exc.code == "not_found":  # ended, and its transcript already deleted
                raise HelpchatError("closed", "error.no_chat") from None
            raise

    async def leave_queue(self, session: VisitorSession) -> None:
        conv = await self.visitor_conversation(session)
        if conv.state != "queued":
            raise HelpchatError("conflict", "error.not_queued")
        await self.end(conv.id, by="visitor", reason="left_queue")

    async def visitor_typing(self, session: VisitorSession, typing: bool) -> None:
        conv = await self.visitor_conversation(session)
        if conv.counselor_id:
            await self.sio.emit("typing", {"conversation_id": conv.id, "typing": typing},
                                room=counselor_room(conv.counselor_id), namespace=COUNSELOR_NS)
        await self.sio.emit("typing", {"conversation_id": conv.id, "typing": typing},
                            room=watch_room(conv.id), namespace=COUNSELOR_NS)

    async def feedback(self, session: VisitorSession, rating: int, comment: str | None) -> None:
        if session.state != "ended":
            raise HelpchatError("conflict", "error.feedback_not_ended")
        await self.store.stats.add_feedback(rating, comment)
        await self.store.sessions.reset_after_end(session.vid)

    async def forget(self, session: VisitorSession, reason: str) -> None:
        """End whatever the session has going and delete it: the token is dead afterwards."""
        if session.conversation_id and session.state in ("queued", "chatting"):
            await self.end(session.conversation_id, by="visitor", reason=reason)
        await self.store.sessions.delete(session.vid)
        await self.store.presence.forget("v", session.vid)

    async def visitor_presence(self, session: VisitorSession, connected: bool) -> None:
        """Counselors see "visitor disconnected / reconnected" in the chat."""
        if session.state != "chatting" or not session.conversation_id:
            return
        conv = await self.store.conversations.get(session.conversation_id)
        if conv and conv.counselor_id:
            await self.sio.emit("visitor_presence",
                                {"conversation_id": conv.id, "connected": connected},
                                room=counselor_room(conv.counselor_id), namespace=COUNSELOR_NS)
            await self.sio.emit("visitor_presence",
                                {"conversation_id": conv.id, "connected": connected},
                                room=watch_room(conv.id), namespace=COUNSELOR_NS)

    # counselor side -------------------------------------------------------------------------
    async def duty_payload(self, counselor: Counselor) -> dict[str, Any]:
        state = await self.store.counselors.duty(counselor.id)
        active = len(await self.store.counselors.active_chats(counselor.id))
        return {"on": state == "on", "status": state, "active_chats": active,
                "max_chats": counselor.max_chats}

    async def push_duty(self, counselor: Counselor) -> None:
        await self.sio.emit("duty", await self.duty_payload(counselor),
                            room=counselor_room(counselor.id), namespace=COUNSELOR_NS)
        # Every change of who has which chat passes here: supervisors refresh their board.
        await self.sio.emit("board_changed", {}, room=SUPERVISORS_ROOM, namespace=COUNSELOR_NS)

    async def set_duty(self, counselor: Counselor, state: str) -> dict[str, Any]:
        if state == "on" and not await self.duty_check(counselor.id, self.now_ms()):
            raise HelpchatError("forbidden", "admin.duty.not_scheduled")
        await self.store.counselors.set_duty(counselor.id, state)
        log.info("duty counselor=%s state=%s", counselor.id, state)
        await self.push_duty(counselor)
        await self.push_queue()
        return await self.duty_payload(counselor)

    async def conversation_payload(self, conv: Conversation) -> dict[str, Any]:
        messages = await self.store.conversations.messages(conv.id)
        return payloads.conversation(conv, messages, self.settings.default_language)

    async def take(self, counselor: Counselor, cid: str | None) -> dict[str, Any]:
        status, taken = await self.store.queue.take(
            counselor.id, cid, now_ms=self.now_ms(),
            max_chats=min(counselor.max_chats, self.settings.max_chats_limit),
        )
        if status == "off_duty":
            raise HelpchatError("forbidden", "error.off_duty")
        if status == "wrap_up":
            raise HelpchatError("forbidden", "console.error.wrap_up_open")
        if status == "limit":
            raise HelpchatError("forbidden", "error.chat_limit")
        if status == "empty":
            raise HelpchatError("not_found", "error.queue_empty")
        if status != "ok" or taken is None:
            raise HelpchatError("conflict" if status == "conflict" else "not_found")
        conv = await self.store.conversations.get(taken)
        if conv is None:
            raise HelpchatError("not_found")
        await self.store.stats.count("chats_taken")
        log.info("chat taken conversation=%s counselor=%s", conv.id, counselor.id)
        await self._announce_assignment(conv, counselor)
        await self.push_queue()
        return await self.conversation_payload(conv)

    async def _announce_assignment(self, conv: Conversation, counselor: Counselor) -> None:
        await self.sio.emit("chat_started",
                            {"conversation_id": conv.id, "counselor_name": counselor.name},
                            room=visitor_room(conv.vid), namespace=VISITOR_NS)
        await self.sio.emit("assigned", {"conversation": await self.conversation_payload(conv)},
                            room=counselor_room(counselor.id), namespace=COUNSELOR_NS)
        await self.push_duty(counselor)

    async def counselor_conversation(self, counselor: Counselor, cid: str) -> Conversation:
        conv = await self.store.conversations.get(cid)
        if conv is None or conv.state == "ended":
            raise HelpchatError("not_found")
        if conv.counselor_id != counselor.id:
            raise HelpchatError("forbidden")
        return conv

    async def counselor_message(self, counselor: Counselor, cid: str, client_id: str,
                                text: str) -> Message:
        return await self._add_message(cid, sender="counselor", text=text, client_id=client_id,
                                       counselor_name=counselor.name,
                                       owner=("counselor", counselor.id))

    async def counselor_typing(self, counselor: Counselor, cid: str, typing: bool) -> None:
        conv = await self.counselor_conversation(counselor, cid)
        await self.sio.emit("typing", {"typing": typing}, room=visitor_room(conv.vid),
                            namespace=VISITOR_NS)

    async def transfer(self, counselor: Counselor, cid: str, to: str | None) -> None:
        conv = await self.counselor_conversation(counselor, cid)
        if to is None:
            await self._requeue(conv, counselor.id, "system.transferred_queue")
            return
        target = await self.store.counselors.get(to)
        if target is None or target.disabled or target.id == counselor.id:
            raise HelpchatError("not_found", "error.target_unavailable")
        status = await self.store.queue.transfer(
            cid, counselor.id, target.id,
            to_max_chats=min(target.max_chats, self.settings.max_chats_limit),
        )
        if status == "conflict":
            raise HelpchatError("conflict")
        if status != "ok":
            raise HelpchatError("forbidden", "error.target_unavailable")
        log.info("chat transferred conversation=%s from=%s to=%s", cid, counselor.id, target.id)
        await self._system_message(conv, "system.transferred", name=target.name)
        await self.sio.emit("chat_ended", {"conversation_id": cid, "by": "counselor",
                                           "reason": "transferred"},
                            room=counselor_room(counselor.id), namespace=COUNSELOR_NS)
        await self.push_duty(counselor)
        await self._announce_assignment(conv, target)

    async def _requeue(self, conv: Conversation, counselor_id: str, notice_key: str) -> None:
        vid = await self.store.queue.requeue_front(conv.id, counselor_id, now_ms=self.now_ms())
        if vid is None:
            raise HelpchatError("conflict")
        log.info("chat requeued conversation=%s from=%s", conv.id, counselor_id)
        await self._system_message(conv, notice_key)
        await self.sio.emit("chat_ended", {"conversation_id": conv.id, "by": "system",
                                           "reason": "requeued"},
                            room=counselor_room(counselor_id), namespace=COUNSELOR_NS)
        counselor = await self.store.counselors.get(counselor_id)
        if counselor:
            await self.push_duty(counselor)
        await self.push_queue()

    async def block(self, counselor: Counselor, cid: str, reason: str) -> None:
        conv = await self.counselor_conversation(counselor, cid)
        await self.store.sessions.block(conv.vid)
        await self.store.stats.count("blocked")
        log.info("visitor blocked conversation=%s counselor=%s", cid, counselor.id)
        await self.end(cid, by="counselor", reason="blocked")

    # both -----------------------------------------------------------------------------------
    async def _add_message(self, cid: str, *, sender: str, text: str, client_id: str | None,
                           owner: tuple[str, str] | None, counselor_name: str | None = None,
                           ) -> Message:
        added = await self.store.conversations.add_message(
            cid, sender=sender, text=text, now_ms=self.now_ms(), client_id=client_id,
            counselor_name=counselor_name, owner=owner,
        )
        if added == "forbidden":
            raise HelpchatError("forbidden")
        if added == "closed":
            raise HelpchatError("closed", "error.no_chat")
        if isinstance(added, str):
            raise HelpchatError("not_found")
        if added.status == "ok" and added.vid:  # a resend ("dup") was delivered the first time
            await self._deliver(added.message, added.vid, added.counselor_id)
        return added.message

    async def _system_message(self, conv: Conversation, key: str, **params: Any) -> None:
        await self._add_message(conv.id, sender="system", text=translate(conv.lang, key, **params),
                                client_id=None, owner=None)

    async def _deliver(self, msg: Message, vid: str, counselor_id: str | None) -> None:
        data = payloads.message(msg)
        await self.sio.emit("message", data, room=visitor_room(vid), namespace=VISITOR_NS)
        # One emit for the counselor's tabs and any supervisor watching (a socket in both
        # rooms gets it once).
        rooms = [watch_room(msg.conversation_id)]
        if counselor_id:
            rooms.append(counselor_room(counselor_id))
        await self.sio.emit("message", data, to=rooms, namespace=COUNSELOR_NS)

    async def end(self, cid: str, *, by: str, reason: str | None) -> bool:
        """End a conversation for both sides; False when it had already ended."""
        ended = await self.store.conversations.end(
            cid, now_ms=self.now_ms(), retention_s=self.settings.retention_seconds)
        if ended is None:
            return False
        await self.store.stats.count("chats_ended")
        if ended.started_ms is not None and ended.previous_state == "active":
            await self.store.stats.record_handle_time((self.now_ms() - ended.started_ms) // 1000)
        code = reason if reason in MACHINE_REASONS else None
        log.info("chat ended conversation=%s by=%s reason=%s", cid, by, code or "-")
        session = await self.store.sessions.get(ended.vid)
        lang = session.lang if session else self.settings.default_language
        await self.sio.emit(
            # A counselor's free-text reason is for colleagues, not for the young person.
            "chat_ended",
            {"by": by, "reason": code, "contacts": await self.store.contacts.list(lang)},
            room=visitor_room(ended.vid), namespace=VISITOR_NS,
        )
        if ended.counselor_id:
            await self.sio.emit("chat_ended", {"conversation_id": cid, "by": by, "reason": reason},
                                room=counselor_room(ended.counselor_id), namespace=COUNSELOR_NS)
            counselor = await self.store.counselors.get(ended.counselor_id)
            if counselor:
                await self.push_duty(counselor)
        await self.console_chat_ended(cid, ended.counselor_id, ended.previous_state,
                                      {"conversation_id": cid, "by": by, "reason": reason})
        if ended.previous_state == "queued":
            await self.push_queue()
        else:
            await self.push_availability()
        return True

    # console: wrap-ups and supervision --------------------------------------------------------
    async def console_chat_ended(self, cid: str, counselor_id: str | None, previous_state: str,
                                 notice: dict[str, Any]) -> None:
        """Watchers learn the chat ended, its whispers follow the transcript's retention, and
        its counselor gets an open wrap-up, which blocks `take` until submitted or skipped."""
        await self.sio.emit("chat_ended", notice, room=watch_room(cid), namespace=COUNSELOR_NS)
        await self.store.supervision.chat_ended(cid, self.settings.retention_seconds)
        if counselor_id and previous_state == "active":
            # The conversation id goes to the counselor's tabs only (to place the form); the
            # stored wrap-up never names the chat.
            wrap_id = await self.store.wrapups.open(counselor_id, self.now_ms())
            await self.sio.emit("wrap_up", {"id": wrap_id, "conversation_id": cid},
                                room=counselor_room(counselor_id), namespace=COUNSELOR_NS)
            await self.sio.emit("board_changed", {}, room=SUPERVISORS_ROOM,
                                namespace=COUNSELOR_NS)

    # grace periods ----------------------------------------------------------------------------
    async def sweep(self) -> None:
        """Handle sessions gone longer than their grace period (run every few seconds by every
        process; removing the hc:gone entry decides which process handles one)."""
        now = self.now_ms()
        settings = self.settings
        cutoff = now - min(settings.visitor_grace_seconds, settings.counselor_grace_seconds) * 1000
        for kind, ident, gone_ms in await self.store.presence.gone_since(cutoff):
            grace = settings.visitor_grace_seconds if kind == "v" else \
                settings.counselor_grace_seconds
            if gone_ms > now - grace * 1000:
                continue
            if not await self.store.presence.claim_gone(kind, ident):
                continue
            if kind == "v":
                await self._visitor_gone(ident)
            else:
                await self._counselor_gone(ident)

    async def _visitor_gone(self, vid: str) -> None:
        session = await self.store.sessions.get(vid)
        if session and session.state == "queued" and session.conversation_id:
            await self.end(session.conversation_id, by="system", reason="visitor_gone")

    async def remove_counselor(self, counselor_id: str) -> None:
        """A disabled account: close its sockets on every process, take it off duty and
        hand its chats back to the front of the queue at once (no grace period)."""
        for sid in await self.store.auth.delete_all(counselor_id):
            await self.sio.disconnect(sid, namespace=COUNSELOR_NS)
        await self.store.presence.claim_gone("c", counselor_id)
        await self._counselor_gone(counselor_id)

    async def _counselor_gone(self, counselor_id: str) -> None:
        await self.store.counselors.set_duty(counselor_id, "off")
        for cid in await self.store.counselors.active_chats(counselor_id):
            conv = await self.store.conversations.get(cid)
            if conv and conv.state == "active":
                try:
                    await self._requeue(conv, counselor_id, "system.counselor_gone")
                except HelpchatError:
                    continue  # taken over or ended meanwhile
        await self.push_queue()
