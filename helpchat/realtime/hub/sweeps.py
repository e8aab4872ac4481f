"""Grace periods: what happens to a visitor or counselor who stays away, and to an account that
is disabled (gone at once, without a grace period)."""

from __future__ import annotations

from helpchat.errors import HelpchatError
from helpchat.realtime.hub.context import HubContext
from helpchat.realtime.hub.lifecycle import Lifecycle
from helpchat.realtime.hub.pushes import Pushes
from helpchat.realtime.hub.rooms import COUNSELOR_NS, counselor_room


class GraceSweeps:
    def __init__(self, ctx: HubContext, pushes: Pushes, chats: Lifecycle) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.pushes = pushes
        self.chats = chats

    async def sweep(self) -> None:
        """Handle sessions gone longer than their grace period (run every few seconds by every
        process; removing the hc:gone entry decides which process handles one)."""
        now = self.ctx.now_ms()
        settings = self.ctx.settings
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
            await self.chats.end(session.conversation_id, by="system", reason="visitor_gone")

    async def remove_counselor(self, counselor_id: str) -> None:
        """A disabled account: close its sockets on every process, take it off duty and
        hand its chats back to the front of the queue at once (no grace period)."""
        await self.end_sessions(counselor_id, "disabled")
        await self.store.presence.claim_gone("c", counselor_id)
        await self._counselor_gone(counselor_id)

    async def end_sessions(self, counselor_id: str, reason: str) -> None:
        """Log the account out everywhere (disabled, password reset): its consoles are told,
        its login sessions deleted and its sockets closed, on every process."""
        await self.ctx.sio.emit("account_changed", {"reason": reason},
                                room=counselor_room(counselor_id), namespace=COUNSELOR_NS)
        for sid in await self.store.auth.delete_all(counselor_id):
            await self.ctx.sio.disconnect(sid, namespace=COUNSELOR_NS)

    async def account_changed(self, counselor_id: str, reason: str) -> None:
        """A role changed: every open console socket of the account, on every process, is told
        and closed. It leaves every room it had (the supervisors' alerts, the chats it was
        watching); the console reconnects with its login and gets the rooms of its new role.
        Its chats stay: the reconnect comes well within the grace period."""
        await self.ctx.sio.emit("account_changed", {"reason": reason},
                                room=counselor_room(counselor_id), namespace=COUNSELOR_NS)
        for sid in await self.store.presence.sockets("c", counselor_id):
            await self.ctx.sio.disconnect(sid, namespace=COUNSELOR_NS)

    async def _counselor_gone(self, counselor_id: str) -> None:
        await self.store.counselors.set_duty(counselor_id, "off")
        for cid in await self.store.counselors.active_chats(counselor_id):
            conv = await self.store.conversations.get(cid)
            if conv and conv.state == "active":
                try:
                    await self.chats.requeue(conv, counselor_id, "system.counselor_gone")
                except HelpchatError:
                    continue  # taken over or ended meanwhile
        await self.pushes.push_queue()
