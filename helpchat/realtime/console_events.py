"""Console events every counselor may send on /counselor: canned responses, wrap-ups, asking a
supervisor for help, the colleagues a chat can be transferred to, and a chat's whispers.

Mixed into CounselorNamespace (see counselor.py); every handler validates its payload, then
checks who is asking, and answers with an Ack.
"""

from __future__ import annotations

import logging
from typing import Any

from helpchat import identity, validation
from helpchat.errors import HelpchatError
from helpchat.i18n import LANGUAGES, normalize_language
from helpchat.realtime import payloads
from helpchat.realtime.base import GuardedNamespace
from helpchat.realtime.hub import SUPERVISORS_ROOM, counselor_room
from helpchat.store.models import Counselor
from helpchat.store.supervision import Whisper
from helpchat.store.wellbeing import CheckIn
from helpchat.store.wrapups import WrapUpForm

log = logging.getLogger(__name__)

CONSOLE_EVENTS = frozenset({
    "canned", "wrap_up", "need_help", "colleagues", "whispers", "end_cooldown", "check_in",
})


def socket_language(auth: Any, default: str) -> str:
    """The console passes its page language in the connect auth; acks use it."""
    return normalize_language(auth.get("lang") if isinstance(auth, dict) else None, default)


def whisper_payload(whisper: Whisper) -> dict[str, Any]:
    return {"id": whisper.id, "conversation_id": whisper.conversation_id, "text": whisper.text,
            "from_name": whisper.from_name, "ts_ms": whisper.ts_ms, "kind": whisper.kind}


def require_supervisor(counselor: Counselor) -> None:
    if not counselor.has_role("supervisor"):
        raise HelpchatError("forbidden", "console.error.supervisor_only")


class ConsoleEvents(GuardedNamespace):
    async def counselor(self, sid: str) -> Counselor:
        raise NotImplementedError  # CounselorNamespace checks the sender on every event

    # connection -------------------------------------------------------------------------------
    async def console_connect(self, sid: str, counselor: Counselor) -> None:
        if counselor.has_role("supervisor"):
            await self.enter_room(sid, SUPERVISORS_ROOM)

    async def console_welcome(self, sid: str, counselor: Counselor) -> None:
        """Open wrap-ups survive a reload; the console shows them again (without a chat)."""
        pending = await self.hub.store.wrapups.pending(counselor.id)
        for wrap_id in sorted(pending, key=pending.__getitem__):
            await self.emit("wrap_up", {"id": wrap_id, "conversation_id": None}, to=sid)

    # events -----------------------------------------------------------------------------------
    async def on_canned(self, sid: str, data: Any) -> dict[str, Any]:
        """The console's own language as `items`, and every language in `by_lang`: a canned
        response goes out in the youth's language, whatever the console's is."""
        validation.payload(data)
        await self.counselor(sid)
        canned = self.hub.store.canned
        by_lang = {lang: await canned.list(lang) for lang in LANGUAGES}
        return payloads.ok(items=by_lang.get(await self.language(sid), []), by_lang=by_lang)

    async def on_wrap_up(self, sid: str, data: Any) -> dict[str, Any]:
        wrap_id, choices = validation.wrap_up(validation.payload(data))
        counselor = await self.counselor(sid)
        form = WrapUpForm(*choices) if choices else None
        hub = self.hub
        if not await hub.store.wrapups.close(counselor.id, wrap_id, form, hub.now_ms()):
            raise HelpchatError("not_found", "console.error.wrap_up_gone")
        log.info("wrap-up %s counselor=%s", "submitted" if form else "skipped", counselor.id)
        await self.emit("wrap_up_closed", {"id": wrap_id}, room=counselor_room(counselor.id))
        if form and form.debrief:
            await hub.store.supervision.request_debrief(counselor.id, hub.now_ms())
            await self.emit("alert", {"kind": "debrief", "counselor_id": counselor.id,
                                      "counselor_name": counselor.shown_name,
                                      "ts_ms": hub.now_ms()},
                            room=SUPERVISORS_ROOM)
        if form and form.heavy and await hub.chats.start_cooldown(counselor.id):
            await hub.pushes.push_duty(counselor)
        await self.emit("board_changed", {}, room=SUPERVISORS_ROOM)
        return payloads.ok(open=len(await hub.store.wrapups.pending(counselor.id)))

    async def on_end_cooldown(self, sid: str, data: Any) -> dict[str, Any]:
        """The counselor feels ready before the cool-down is over: their choice."""
        validation.payload(data)
        duty = await self.hub.counselors.end_cooldown(await self.counselor(sid))
        await self.hub.pushes.push_queue()
        return payloads.ok(**duty)

    async def on_check_in(self, sid: str, data: Any) -> dict[str, Any]:
        """End-of-shift check-in: counted, never linked to a chat; only a call-back request
        names the counselor, to the supervisors."""
        feeling, stays, call_back = validation.check_in(validation.payload(data))
        counselor = await self.counselor(sid)
        hub = self.hub
        await hub.store.wellbeing.check_in(counselor.id, CheckIn(feeling, stays, call_back),
                                           hub.now_ms())
        log.info("check-in counselor=%s call_back=%s", counselor.id, call_back)
        if call_back:
            await self.emit("alert", {"kind": "call_back", "counselor_id": counselor.id,
                                      "counselor_name": counselor.shown_name,
                                      "ts_ms": hub.now_ms()},
                            room=SUPERVISORS_ROOM)
            await self.emit("board_changed", {}, room=SUPERVISORS_ROOM)
        return payloads.ok()

    async def on_need_help(self, sid: str, data: Any) -> dict[str, Any]:
        cid = validation.conversation_id(validation.payload(data))
        counselor = await self.counselor(sid)
        hub = self.hub
        conv = await hub.counselors.conversation(counselor, cid)
        now = hub.now_ms()
        await hub.store.supervision.request_help(cid, counselor.id, now)
        log.info("help requested conversation=%s counselor=%s", cid, counselor.id)
        pseudonym = identity.pseudonym(conv.pseudonym_code, await self.language(sid))
        await self.emit("alert", {"kind": "need_help", "conversation_id": cid,
                                  "counselor_id": counselor.id,
                                  "counselor_name": counselor.shown_name, "pseudonym": pseudonym,
                                  "ts_ms": now}, room=SUPERVISORS_ROOM)
        await self.emit("board_changed", {}, room=SUPERVISORS_ROOM)
        return payloads.ok(notified=await self._supervisors_online(counselor.id))

    async def _supervisors_online(self, except_id: str) -> int:
        supervisors = [c.id for c in await self.hub.store.counselors.all()
                       if c.has_role("supervisor") and not c.disabled and c.id != except_id]
        online = await self.hub.store.supervision.connected(supervisors)
        return sum(online.values())

    async def on_colleagues(self, sid: str, data: Any) -> dict[str, Any]:
        validation.payload(data)
        counselor = await self.counselor(sid)
        store, limit = self.hub.store, self.hub.settings.max_chats_limit
        duty = await store.counselors.on_duty()
        resting = await store.wellbeing.cooldowns(list(duty))
        ids = [cid for cid, state in duty.items()
               if state == "on" and cid != counselor.id and cid not in resting]
        counts = await store.counselors.active_chat_counts(ids)
        found = []
        for colleague_id in ids:
            colleague = await store.counselors.get(colleague_id)
            if colleague is None or colleague.disabled:
                continue
            capacity = min(colleague.max_chats, limit)
            if counts[colleague_id] < capacity:
                found.append({"id": colleague.id, "name": colleague.shown_name,
                              "active_chats": counts[colleague_id], "max_chats": capacity})
        found.sort(key=lambda c: (c["active_chats"], str(c["name"]).lower()))
        return payloads.ok(colleagues=found)

    async def on_whispers(self, sid: str, data: Any) -> dict[str, Any]:
        """A chat's whispers: for its own counselor, or any supervisor."""
        cid = validation.conversation_id(validation.payload(data))
        counselor = await self.counselor(sid)
        conv = await self.hub.store.conversations.get(cid)
        if conv is None or conv.state == "ended":
            raise HelpchatError("not_found")
        if conv.counselor_id != counselor.id:
            require_supervisor(counselor)
        whispers = await self.hub.store.supervision.whispers(cid)
        return payloads.ok(whispers=[whisper_payload(w) for w in whispers])
