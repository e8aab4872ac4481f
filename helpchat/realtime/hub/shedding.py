"""Shedding a prank: one counselor action ends a test, prank or abusive contact, records its
wrap-up (category = the kind, outcome "not serious") and, when chosen, blocks the session.

Works on the counselor's own chat and on a queued entry (a fake urgent request is cleared
without taking it first). Only counts are kept: how many of each kind, and the counselor
seconds they took, per month (store/wrapups.py)."""

from __future__ import annotations

import logging

from helpchat.errors import HelpchatError
from helpchat.realtime.hub.context import HubContext
from helpchat.realtime.hub.lifecycle import Lifecycle
from helpchat.store.models import Counselor
from helpchat.store.wrapups import WrapUpForm

log = logging.getLogger("helpchat.realtime.hub")

# A server code (MACHINE_REASONS): both sides get it and it is counted as ended_shed. The
# widget shows it as an ordinary end, with the contacts: the young person may have been misjudged.
SHED_REASON = "shed"
NOT_SERIOUS = "not_serious"


class Shedding:
    def __init__(self, ctx: HubContext, chats: Lifecycle) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.chats = chats

    async def shed(self, counselor: Counselor, cid: str, kind: str, block: bool) -> None:
        conv = await self.store.conversations.get(cid)
        if conv is None or conv.state == "ended":
            raise HelpchatError("not_found")
        if conv.state == "active" and conv.counselor_id != counselor.id:
            raise HelpchatError("forbidden")
        now = self.ctx.now_ms()
        seconds = (now - conv.started_ms) // 1000 if conv.state == "active" and \
            conv.started_ms else 0
        if block:
            await self.chats.block_session(conv, counselor, kind)
        if not await self.chats.end(cid, by="counselor", reason=SHED_REASON, wrap_up=False):
            raise HelpchatError("not_found")  # ended meanwhile by someone else
        await self.store.wrapups.record(WrapUpForm(kind, "unknown", NOT_SERIOUS, False), now,
                                        counselor_seconds=max(0, seconds))
        log.info("contact shed conversation=%s counselor=%s kind=%s block=%s", cid,
                 counselor.id, kind, block)
