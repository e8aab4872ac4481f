"""Questions for later: a young person leaves a question while nobody can chat and comes back
with a pickup code; counselors work the inbox when the live queue is empty.

The moves of both sides live here (the namespaces' handlers in question_events.py only parse
and call them). A thread is never linked to a visitor session: a socket may touch a thread
only after asking it or picking it up with its code on that same connection.
"""

from __future__ import annotations

import logging
from typing import Any

from helpchat import identity, pickup_codes, questions
from helpchat.errors import HelpchatError
from helpchat.passwords import hash_password, verify_password
from helpchat.realtime.hub.context import HubContext
from helpchat.realtime.hub.counselors import CounselorSide
from helpchat.realtime.hub.lifecycle import Lifecycle
from helpchat.realtime.hub.proof import ProofGate
from helpchat.realtime.hub.rooms import (
    COUNSELOR_NS,
    QUEUE_ROOM,
    VISITOR_NS,
    counselor_room,
    thread_room,
    visitor_room,
)
from helpchat.store.models import Conversation, Counselor, Message, VisitorSession
from helpchat.store.threads import MAX_THREAD_BYTES, Added, NewMessage, Thread

log = logging.getLogger(__name__)

PREVIEW_CHARS = 140
CREATE_ATTEMPTS = 3
VISITOR_STATES = {"open": "waiting", "claimed": "waiting", "review": "waiting",
                  "answered": "answered", "done": "done"}


def message_payload(msg: Message) -> dict[str, Any]:
    return {"id": msg.id, "thread_id": msg.conversation_id, "sender": msg.sender,
            "text": msg.text, "ts_ms": msg.ts_ms, "client_id": msg.client_id,
            "counselor_name": msg.counselor_name}


class QuestionDesk:
    def __init__(self, ctx: HubContext, gate: ProofGate, counselors: CounselorSide,
                 chats: Lifecycle) -> None:
        self.ctx = ctx
        self.gate = gate
        self.counselors = counselors
        self.chats = chats
        self.store = ctx.store
        self.threads = ctx.store.threads

    def not_found(self) -> HelpchatError:
        """Wrong, mistyped, expired and deleted codes all get this one answer."""
        return HelpchatError("not_found", "error.code_not_found",
                             days=self.ctx.settings.question_ttl_days)

    def _enabled(self) -> None:
        if not self.ctx.settings.questions_enabled:
            raise HelpchatError("closed", "error.questions_off")

    async def answer_time(self) -> questions.AnswerTime:
        return questions.answer_time(await self.threads.answer_times(),
                                     self.ctx.settings.question_answer_promise_hours)

    # the young person's side ----------------------------------------------------------------
    async def ask(self, lang: str, text: str, client_id: str | None,
                  proof: Any = None) -> tuple[str, str]:
        """(pickup code, thread id). The code leaves this function only in the ack. Asking
        creates counselor work like joining the queue, so it passes the same proof gate."""
        self._enabled()
        await self.gate.admit(proof, urgent=False)
        first = NewMessage("visitor", text, self.ctx.now_ms(), client_id)
        code, tid = await self._create(lang, [first], origin="ask")
        await self.store.insights.count_now("questions_asked", self.ctx.now_ms())
        log.info("question asked thread=%s", tid)
        await self.notify_console()
        return code, tid

    async def _create(self, lang: str, messages: list[NewMessage], *, origin: str,
                      counselor_id: str | None = None) -> tuple[str, str]:
        secret = self.ctx.settings.secret_key
        for _ in range(CREATE_ATTEMPTS):
            code = pickup_codes.new_code(lang)
            tid = identity.new_id()
            if await self.threads.create(
                    tid, lang=lang, messages=messages,
                    digest=pickup_codes.lookup_digest(secret, code),
                    code_hash=await hash_password(code), now_ms=self.ctx.now_ms(),
                    origin=origin, counselor_id=counselor_id):
                return code, tid
        raise HelpchatError("internal")  # three 66-bit collisions in a row: not this universe

    async def keep_talking_later(self, session: VisitorSession) -> tuple[str, str]:
        """The young person's choice at the end of a live chat: the chat's messages go on as a
        thread of its own, held by the same counselor, behind a new pickup code. This is the
        only link between a thread and a live chat, and only because they chose it."""
        self._enabled()
        cid = session.conversation_id
        conv = cid and session.state == "chatting" and await self.store.conversations.get(cid)
        if not conv or conv.state != "active" or not conv.counselor_id:
            raise HelpchatError("closed", "error.no_chat")
        settings = self.ctx.settings
        kept = [NewMessage(m.sender, m.text, m.ts_ms, None, m.counselor_name)
                for m in await self.store.conversations.messages(conv.id)
                if m.sender in ("visitor", "counselor")]
        kept = kept[-(settings.question_max_messages - 1):]
        while sum(len(m.text.encode()) for m in kept) > MAX_THREAD_BYTES // 2:
            kept.pop(0)  # the newest part of a long chat, with room left for the thread
        code, tid = await self._create(session.lang, kept, origin="live",
                                       counselor_id=conv.counselor_id)
        # The thread id alone: a log line must not keep the link after the chat is gone.
        log.info("chat continued as a question thread=%s", tid)
        await self.ctx.sio.emit("later_accepted", {"conversation_id": conv.id, "thread_id": tid},
                                room=counselor_room(conv.counselor_id), namespace=COUNSELOR_NS)
        await self.notify_console()
        return code, tid

    async def offer_later(self, counselor: Counselor, conv: Conversation) -> None:
        """The counselor offers "keep talking later"; the young person decides."""
        self._enabled()
        await self.ctx.sio.emit("later_offered", {"conversation_id": conv.id},
                                room=visitor_room(conv.vid), namespace=VISITOR_NS)
        log.info("keep talking later offered conversation=%s counselor=%s", conv.id,
                 counselor.id)

    async def lookup(self, codes: list[str]) -> list[Thread | None]:
        """The threads behind the given codes (None for every wrong or expired one). A guess
        that is not a code, or whose HMAC is not in the index, costs no slow hash."""
        secret = self.ctx.settings.secret_key
        normalized = [pickup_codes.normalize(code) for code in codes]
        asked = [(i, pickup_codes.lookup_digest(secret, n)) for i, n in enumerate(normalized) if n]
        found: list[Thread | None] = [None] * len(codes)
        ids = await self.threads.find([digest for _, digest in asked])
        for (index, _), tid in zip(asked, ids, strict=True):
            thread = tid and await self.threads.get(tid)
            code = normalized[index]
            if thread and code and await verify_password(thread.code_hash, code):
                found[index] = thread
        return found

    async def pickup(self, code: str, proof: Any = None) -> Thread:
        """The thread behind a code. Every lookup passes the proof gate (a flood of guesses
        raises the work for each next one) and the global ceiling of failed lookups."""
        self._enabled()
        now = self.ctx.now_ms()
        if await self.threads.failed_lookups(now) >= self.ctx.settings.pickup_failures_per_second:
            raise HelpchatError("rate_limited", fields={"retry_after_ms": 1000 - now % 1000})
        await self.gate.admit(proof, urgent=False)
        (thread,) = await self.lookup([code])
        if thread is None:
            await self.threads.note_failed_lookup(now)
            raise self.not_found()
        await self.store.insights.count_now("codes_redeemed", now)
        log.info("question picked up thread=%s", thread.id)
        return thread

    # coming back live ------------------------------------------------------------------------
    async def returning_counselor(self, thread: Thread) -> Counselor | None:
        """Whom a young person back from this thread may chat with live: the counselor who
        answered it (or holds it, after "keep talking later"), while on duty."""
        cid = thread.answered_by or thread.counselor_id
        counselor = await self.store.counselors.get(cid) if cid else None
        if counselor is None or counselor.disabled:
            return None
        return counselor if await self.store.counselors.duty(counselor.id) == "on" else None

    async def return_live(self, cid: str, tid: str) -> bool:
        """The young person asked (opt-in) to chat with the counselor of their thread: the
        chat they just queued goes to that counselor at once (take.lua, so the usual limits,
        wrap-up and cool-down hold), who sees "returning; earlier thread" and the thread.
        False when that counselor cannot take it now: the chat then waits in the queue like
        any other, without the link, and no one else sees the thread."""
        thread = await self.threads.get(tid)
        counselor = await self.returning_counselor(thread) if thread else None
        if counselor is None:
            return False
        await self.store.conversations.note_return(cid, tid, counselor.id)
        try:
            await self.counselors.take(counselor, cid)
        except HelpchatError:
            await self.store.conversations.note_return(cid, None, None)
            return False
        # The conversation alone: a log line must not keep the link to the thread.
        log.info("returning youth taken by the counselor of their question conversation=%s "
                 "counselor=%s", cid, counselor.id)
        return True

    async def visitor_thread(self, tid: str) -> Thread:
        thread = await self.threads.get(tid)
        if thread is None:
            raise self.not_found()
        return thread

    async def thread_payload(self, thread: Thread) -> dict[str, Any]:
        messages = await self.threads.messages(thread.id)
        live = await self.returning_counselor(thread)
        return {
            "id": thread.id,
            "state": VISITOR_STATES.get(thread.state, "waiting"),
            "created_ms": thread.created_ms,
            "expires_ms": thread.last_ms + self.threads.ttl_s * 1000,
            "messages": [message_payload(m) for m in messages],
            "answer_time": (await self.answer_time()).payload(),
            # On duty now: the widget may offer to chat live with them (the visitor's choice);
            # the display name only, null while the account has none.
            "live_counselor": {"name": live.display_name or None} if live else None,
        }

    async def reply(self, tid: str, client_id: str, text: str) -> Message:
        self._enabled()
        # Rate limited like chat text, per thread (a thread is linked to no visitor session).
        await self.chats.spend("msg", ("vid", f"t:{tid}"))
        settings = self.ctx.settings
        added = await self.threads.add(tid, sender="visitor", text=text, client_id=client_id,
                                       now_ms=self.ctx.now_ms(),
                                       max_messages=settings.question_max_messages)
        stored, message = self._stored(added)
        if stored.status == "ok":
            thread = await self.threads.get(tid)
            if thread and thread.counselor_id:
                await self.ctx.sio.emit("question_message", message_payload(message),
                                        room=counselor_room(thread.counselor_id),
                                        namespace=COUNSELOR_NS)
            await self._to_visitor(message)
            await self.notify_console()
        return message

    async def done(self, tid: str) -> None:
        if await self.threads.close(tid, "done", now_ms=self.ctx.now_ms()) is None:
            raise self.not_found()
        await self.notify_console()

    async def delete(self, tid: str) -> None:
        if await self.threads.close(tid, "delete", now_ms=self.ctx.now_ms()) is None:
            raise self.not_found()
        await self.threads.count("deleted")
        log.info("question deleted by its visitor thread=%s", tid)
        await self.ctx.sio.emit("thread_deleted", {"thread_id": tid}, room=thread_room(tid),
                                namespace=VISITOR_NS)
        await self.notify_console()

    def _stored(self, added: Added | str) -> tuple[Added, Message]:
        """The stored message of a move, or the error its status means."""
        if isinstance(added, str):
            if added == "too_large":
                raise HelpchatError("too_large", "error.thread_full")
            if added == "conflict":
                raise HelpchatError("conflict", "console.error.question_not_yours")
            raise self.not_found()
        if added.message is None:
            raise HelpchatError("internal")
        return added, added.message

    async def _to_visitor(self, message: Message) -> None:
        await self.ctx.sio.emit("thread_message", message_payload(message),
                                room=thread_room(message.conversation_id), namespace=VISITOR_NS)

    # the console's side ---------------------------------------------------------------------
    async def notify_console(self) -> None:
        """Every counselor's inbox counter; the console asks for the list when it shows it."""
        await self.ctx.sio.emit("questions_changed", await self.summary(), room=QUEUE_ROOM,
                                namespace=COUNSELOR_NS)

    async def summary(self) -> dict[str, int]:
        now, promise = self.ctx.now_ms(), self.ctx.settings.question_answer_promise_hours
        since = await self.threads.oldest_waiting_ms()
        return {"waiting": len(since),
                "overdue": sum(questions.overdue(ms, now, promise) for ms in since),
                "in_review": len(await self.threads.in_review())}

    async def inbox(self, counselor: Counselor) -> dict[str, Any]:
        """Waiting questions by age, the counselor's own claimed ones, and (for supervisors)
        every claimed one and the answers waiting for review."""
        supervisor = counselor.has_role("supervisor")
        claimed = await self.threads.get_many(await self.threads.claimed())
        review = await self.threads.get_many(await self.threads.in_review()) \
            if supervisor else []
        mine = [t for t in claimed if t.counselor_id == counselor.id]
        others = [t for t in claimed if t.counselor_id != counselor.id] if supervisor else []
        waiting = await self.threads.get_many(await self.threads.waiting())
        names = await self._names([t.counselor_id for t in (*claimed, *review) if t.counselor_id])
        firsts = await self.threads.first_messages([t.id for t in (*waiting, *mine, *others,
                                                                   *review)])
        def entries(items: list[Thread]) -> list[dict[str, Any]]:
            return [self._entry(t, firsts.get(t.id), names) for t in items]

        return {"waiting": entries(waiting), "mine": entries(mine), "others": entries(others),
                "review": entries(review), "live_waiting": await self.store.queue.length(),
                "promise_hours": self.ctx.settings.question_answer_promise_hours,
                "review_on": self.ctx.settings.question_review}

    async def _names(self, ids: list[str]) -> dict[str, str]:
        """Names as colleagues see them (shown_name: never the login name, issue 10)."""
        return {c.id: c.shown_name
                for c in await self.store.counselors.many(sorted(set(ids)))}

    def _entry(self, thread: Thread, first: Message | None,
               names: dict[str, str]) -> dict[str, Any]:
        now = self.ctx.now_ms()
        since = thread.waiting_ms
        promise = self.ctx.settings.question_answer_promise_hours
        preview = (first.text if first else "")[:PREVIEW_CHARS]
        return {
            "thread_id": thread.id,
            "label": identity.pseudonym_code(thread.id),
            "lang": thread.lang,
            "state": thread.state,
            "waiting_s": max(0, (now - since) // 1000) if since else None,
            "overdue": bool(since and questions.overdue(since, now, promise)),
            "preview": preview,
            "counselor_id": thread.counselor_id,
            "counselor_name": names.get(thread.counselor_id or ""),
        }

    async def console_thread(self, thread: Thread) -> dict[str, Any]:
        names = await self._names([thread.counselor_id] if thread.counselor_id else [])
        first = None
        messages = await self.threads.messages(thread.id)
        if messages:
            first = messages[0]
        draft = thread.draft
        return {
            **self._entry(thread, first, names),
            "created_ms": thread.created_ms,
            "expires_ms": thread.last_ms + self.threads.ttl_s * 1000,
            "messages": [message_payload(m) for m in messages],
            "draft": draft and {"text": draft.text, "counselor_name": draft.counselor_name,
                                "ts_ms": draft.ts_ms},
            "review_note": thread.review_note,
        }

    async def _own(self, counselor: Counselor, tid: str) -> Thread:
        """A thread the counselor may open: claimed by them, or any for a supervisor."""
        thread = await self.threads.get(tid)
        if thread is None:
            raise HelpchatError("not_found")
        if thread.counselor_id != counselor.id and not counselor.has_role("supervisor"):
            raise HelpchatError("forbidden", "console.error.question_not_yours")
        return thread

    async def claim(self, counselor: Counselor, tid: str | None) -> dict[str, Any]:
        """Like take for live chats: atomic, and only while no live chat waits for someone
        who is on duty (answering questions never keeps a young person waiting live)."""
        on_duty = await self.store.counselors.duty(counselor.id) == "on"
        if on_duty and await self.store.queue.length() > 0:
            raise HelpchatError("forbidden", "console.error.live_first")
        status, claimed = await self.threads.claim(tid, counselor.id, now_ms=self.ctx.now_ms())
        if status == "empty":
            raise HelpchatError("not_found", "console.error.no_questions")
        if status == "conflict":
            raise HelpchatError("conflict")
        if status != "ok":
            raise HelpchatError("not_found")
        log.info("question claimed thread=%s counselor=%s", claimed, counselor.id)
        await self.notify_console()
        return await self.console_thread(await self._own(counselor, claimed))

    async def open(self, counselor: Counselor, tid: str) -> dict[str, Any]:
        return await self.console_thread(await self._own(counselor, tid))

    async def answer(self, counselor: Counselor, tid: str, client_id: str,
                     text: str) -> dict[str, Any]:
        await self.chats.spend("msg", ("counselor", counselor.id))  # the live chats' bucket
        settings = self.ctx.settings
        added = await self.threads.add(
            tid, sender="counselor", text=text, client_id=client_id, counselor_id=counselor.id,
            counselor_name=counselor.display_name, now_ms=self.ctx.now_ms(),
            max_messages=settings.question_max_messages, review=settings.question_review)
        if isinstance(added, Added) and added.status == "review":
            log.info("question answer held for review thread=%s counselor=%s", tid, counselor.id)
            await self.notify_console()
            return {"message": None, "in_review": True}
        stored, message = self._stored(added)
        await self._published(stored)
        log.info("question answered thread=%s counselor=%s", tid, counselor.id)
        return {"message": message_payload(message), "in_review": False}

    async def _published(self, added: Added) -> None:
        if added.status != "ok" or added.message is None:
            return
        if added.waited_ms is not None:
            promise = self.ctx.settings.question_answer_promise_hours
            await self.threads.record_answer(added.waited_ms)
            await self.store.insights.question_answered(
                added.waited_ms // 1000, questions.within_promise(added.waited_ms, promise),
                self.ctx.now_ms())
        await self._to_visitor(added.message)
        await self.notify_console()

    async def release(self, counselor: Counselor, tid: str) -> None:
        status, _ = await self.threads.move(tid, "release", by=counselor.id,
                                            now_ms=self.ctx.now_ms(),
                                            for_others=counselor.has_role("supervisor"))
        self._moved(status)
        await self.notify_console()

    async def hand_over(self, counselor: Counselor, tid: str, to: str) -> None:
        target = await self.store.counselors.get(to)
        if target is None or target.disabled or to == counselor.id:
            raise HelpchatError("not_found", "console.error.no_such_colleague")
        status, _ = await self.threads.move(tid, "hand_over", by=counselor.id, target=to,
                                            now_ms=self.ctx.now_ms(),
                                            for_others=counselor.has_role("supervisor"))
        self._moved(status)
        log.info("question handed over thread=%s from=%s to=%s", tid, counselor.id, to)
        await self.ctx.sio.emit("question_assigned",
                                {"thread_id": tid, "from": counselor.shown_name},
                                room=counselor_room(to), namespace=COUNSELOR_NS)
        await self.notify_console()

    async def review(self, counselor: Counselor, tid: str, approve: bool,
                     note: str | None) -> dict[str, Any]:
        if not counselor.has_role("supervisor"):
            raise HelpchatError("forbidden", "console.error.supervisor_only")
        now = self.ctx.now_ms()
        if not approve:
            status, author = await self.threads.move(tid, "reject", by=counselor.id,
                                                     target=note or "", now_ms=now)
            self._moved(status)
            if author:
                await self.ctx.sio.emit("question_assigned",
                                        {"thread_id": tid, "from": counselor.shown_name},
                                        room=counselor_room(author), namespace=COUNSELOR_NS)
            await self.notify_console()
            return {"message": None}
        added = await self.threads.add(tid, sender="approve", now_ms=now,
                                       max_messages=self.ctx.settings.question_max_messages)
        stored, message = self._stored(added)
        await self._published(stored)
        log.info("question answer approved thread=%s supervisor=%s", tid, counselor.id)
        return {"message": message_payload(message)}

    def _moved(self, status: str) -> None:
        if status == "forbidden":
            raise HelpchatError("forbidden", "console.error.question_not_yours")
        if status == "conflict":
            raise HelpchatError("conflict")
        if status != "ok":
            raise HelpchatError("not_found")

    # time -----------------------------------------------------------------------------------
    async def sweep(self) -> int:
        """Drop expired threads from every index; the count feeds the AOF rewrite."""
        removed = await self.threads.sweep(self.ctx.now_ms())
        if removed:
            await self.threads.count("expired", removed)
            await self.notify_console()
        return removed
