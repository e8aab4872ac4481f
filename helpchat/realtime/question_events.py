"""The events of questions for later, on both namespaces: parse, check who asks, call the
QuestionDesk (realtime/questions.py), answer with an Ack.

A visitor socket may touch only the threads it asked or picked up itself (kept in its
socket.io session, never in Redis: nothing links a thread to a visitor session).
"""

from __future__ import annotations

from typing import Any

from helpchat import validation
from helpchat.errors import HelpchatError, invalid
from helpchat.i18n import normalize_language
from helpchat.realtime import payloads
from helpchat.realtime.base import GuardedNamespace
from helpchat.realtime.hub.rooms import thread_room
from helpchat.realtime.questions import message_payload
from helpchat.store.models import Counselor, VisitorSession

VISITOR_QUESTION_EVENTS = frozenset({"ask", "pickup", "reply", "thread_done", "delete_thread",
                                     "keep_talking_later"})
COUNSELOR_QUESTION_EVENTS = frozenset({
    "questions", "claim_question", "open_question", "answer_question", "release_question",
    "hand_over_question", "review_answer", "offer_later",
})
# One connection asks a handful of questions at most; more is a script, not a young person.
MAX_ASKS_PER_CONNECTION = 3
MAX_THREADS_PER_CONNECTION = 10


def thread_id(data: dict[str, Any]) -> str:
    value = data.get("thread_id")
    if not isinstance(value, str) or not validation.CONVERSATION_ID.match(value):
        raise invalid("thread_id is missing or malformed")
    return value


def optional_thread_id(data: dict[str, Any]) -> str | None:
    return None if data.get("thread_id") is None else thread_id(data)


class VisitorQuestionEvents(GuardedNamespace):
    async def _session(self, sid: str) -> VisitorSession:
        raise NotImplementedError  # VisitorNamespace reads the sender's session

    async def _opened(self, sid: str, tid: str, *, asked: bool = False) -> None:
        session = await self.get_session(sid)
        threads = [t for t in session.get("threads", []) if t != tid][-(MAX_THREADS_PER_CONNECTION
                                                                         - 1):]
        session["threads"] = [*threads, tid]
        if asked:
            session["asked"] = session.get("asked", 0) + 1
        await self.save_session(sid, session)
        await self.enter_room(sid, thread_room(tid))

    async def _thread_of(self, sid: str, data: dict[str, Any]) -> str:
        tid = thread_id(data)
        if tid not in (await self.get_session(sid)).get("threads", []):
            # The same answer as for an unknown thread: a thread id alone opens nothing.
            raise self.hub.questions.not_found()
        return tid

    async def on_ask(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        text = validation.message_text(body, self.hub.settings.question_max_chars)
        client_id = validation.client_id(body) if body.get("client_id") is not None else None
        lang = normalize_language(body.get("lang"), await self.language(sid))
        if (await self.get_session(sid)).get("asked", 0) >= MAX_ASKS_PER_CONNECTION:
            raise HelpchatError("rate_limited", fields={"retry_after_ms": 60_000})
        code, tid = await self.hub.questions.ask(lang, text, client_id, validation.proof(body))
        await self._opened(sid, tid, asked=True)
        desk = self.hub.questions
        thread = await desk.visitor_thread(tid)
        return payloads.ok(code=code, thread_id=tid, thread=await desk.thread_payload(thread),
                           answer_time=(await desk.answer_time()).payload())

    async def on_keep_talking_later(self, sid: str, data: Any) -> dict[str, Any]:
        validation.payload(data)
        session = await self._session(sid)
        already = (await self.get_session(sid)).get("later")
        if already and already == session.conversation_id:
            raise HelpchatError("conflict", detail="this chat already goes on as a question")
        desk = self.hub.questions
        code, tid = await desk.keep_talking_later(session)
        socket_session = await self.get_session(sid)
        socket_session["later"] = session.conversation_id
        await self.save_session(sid, socket_session)
        await self._opened(sid, tid, asked=True)
        return payloads.ok(code=code, thread_id=tid,
                           thread=await desk.thread_payload(await desk.visitor_thread(tid)),
                           answer_time=(await desk.answer_time()).payload())

    async def on_pickup(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        code = body.get("code")
        if not isinstance(code, str) or not code.strip():
            raise invalid("code must be a string")
        thread = await self.hub.questions.pickup(code, validation.proof(body))
        await self._opened(sid, thread.id)
        return payloads.ok(thread=await self.hub.questions.thread_payload(thread))

    async def on_reply(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        tid = await self._thread_of(sid, body)
        client_id = validation.client_id(body)
        text = validation.message_text(body, self.hub.settings.question_max_chars)
        message = await self.hub.questions.reply(tid, client_id, text)
        return payloads.ok(message=message_payload(message))

    async def on_thread_done(self, sid: str, data: Any) -> dict[str, Any]:
        tid = await self._thread_of(sid, validation.payload(data))
        await self.hub.questions.done(tid)
        return payloads.ok()

    async def on_delete_thread(self, sid: str, data: Any) -> dict[str, Any]:
        tid = await self._thread_of(sid, validation.payload(data))
        await self.hub.questions.delete(tid)
        session = await self.get_session(sid)
        session["threads"] = [t for t in session.get("threads", []) if t != tid]
        await self.save_session(sid, session)
        await self.leave_room(sid, thread_room(tid))
        return payloads.ok()


class CounselorQuestionEvents(GuardedNamespace):
    async def counselor(self, sid: str) -> Counselor:
        raise NotImplementedError  # CounselorNamespace checks the sender on every event

    async def on_questions(self, sid: str, data: Any) -> dict[str, Any]:
        validation.payload(data)
        return payloads.ok(**await self.hub.questions.inbox(await self.counselor(sid)))

    async def on_claim_question(self, sid: str, data: Any) -> dict[str, Any]:
        tid = optional_thread_id(validation.payload(data))
        thread = await self.hub.questions.claim(await self.counselor(sid), tid)
        return payloads.ok(thread=thread)

    async def on_open_question(self, sid: str, data: Any) -> dict[str, Any]:
        tid = thread_id(validation.payload(data))
        return payloads.ok(thread=await self.hub.questions.open(await self.counselor(sid), tid))

    async def on_answer_question(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        tid = thread_id(body)
        client_id = validation.client_id(body)
        text = validation.message_text(body, self.hub.settings.question_max_chars)
        result = await self.hub.questions.answer(await self.counselor(sid), tid, client_id, text)
        return payloads.ok(**result)

    async def on_release_question(self, sid: str, data: Any) -> dict[str, Any]:
        tid = thread_id(validation.payload(data))
        await self.hub.questions.release(await self.counselor(sid), tid)
        return payloads.ok()

    async def on_hand_over_question(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        tid = thread_id(body)
        to = validation.transfer_target(body)
        if to is None:
            raise invalid("to must be a counselor id (release_question puts it back)")
        await self.hub.questions.hand_over(await self.counselor(sid), tid, to)
        return payloads.ok()

    async def on_review_answer(self, sid: str, data: Any) -> dict[str, Any]:
        body = validation.payload(data)
        tid = thread_id(body)
        approve = validation.required_bool(body, "approve")
        note = validation.optional_text(body, "note", validation.MAX_REASON)
        result = await self.hub.questions.review(await self.counselor(sid), tid, approve, note)
        return payloads.ok(**result)

    async def on_offer_later(self, sid: str, data: Any) -> dict[str, Any]:
        cid = validation.conversation_id(validation.payload(data))
        counselor = await self.counselor(sid)
        conv = await self.hub.counselors.conversation(counselor, cid)
        await self.hub.questions.offer_later(counselor, conv)
        return payloads.ok()
