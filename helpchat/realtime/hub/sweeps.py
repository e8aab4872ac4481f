"""Grace periods: what happens to a visitor or counselor who stays away, to the sockets of a
server process that died without a goodbye, and to an account that is disabled (gone at once,
without a grace period)."""

from __future__ import annotations

import logging

from helpchat.errors import HelpchatError
from helpchat.realtime.hub.context import HubContext
from helpchat.realtime.hub.lifecycle import Lifecycle
from helpchat.realtime.hub.pushes import Pushes
from helpchat.realtime.hub.rooms import COUNSELOR_NS, VISITOR_NS, counselor_room
from helpchat.store.presence import Kind

log = logging.getLogger("helpchat.realtime.hub")
NAMESPACE_OF: dict[Kind, str] = {"v": VISITOR_NS, "c": COUNSELOR_NS}


class GraceSweeps:
    def __init__(self, ctx: HubContext, pushes: Pushes, chats: Lifecycle) -> None:
        self.ctx = ctx
        self.store = ctx.store
        self.pushes = pushes
        self.chats = chats
        self._unheld: set[tuple[Kind, str, str]] = set()

    async def bury_dead_processes(self) -> int:
        """Close the sockets of every other process that stopped beating (kill -9, power loss,
        a partition): each counts as disconnected at that process's last heartbeat, so the grace
        periods run from there and `sweep` releases or requeues whoever does not come back.
        Processes handled (exactly one process handles each)."""
        presence = self.store.presence
        now = self.ctx.now_ms()
        cutoff = now - self.ctx.settings.process_timeout_seconds * 1000
        handled = 0
        for process_id, _ in await presence.silent_since(cutoff):
            buried = await presence.bury(process_id, cutoff, now)
            if buried is None:
                continue  # it beat again, or another process handled it
            last_beat, sockets = buried
            log.warning("process %s silent since %d ms ago: closed its %d sockets",
                        process_id, now - last_beat if last_beat else 0, sockets)
            handled += 1
        if handled:
            await self.pushes.push_queue()
        return handled

    async def reconcile(self) -> int:
        """Sockets registered to this process that it no longer holds are closed now: their
        disconnect could not be written while Redis was away. A socket must look gone at two
        passes in a row (one still connecting looks gone for a moment). Sockets closed."""
        presence = self.store.presence
        manager = self.ctx.sio.manager
        unheld = {(kind, ident, sid) for kind, ident, sid in
                  await presence.sockets_of(presence.process_id)
                  if not manager.is_connected(sid, NAMESPACE_OF[kind])}
        stale, self._unheld = unheld & self._unheld, unheld - self._unheld
        for kind, ident, sid in stale:
            await presence.disconnect(kind, ident, sid, self.ctx.now_ms())
        if stale:
            log.warning("closed %d sockets whose disconnect was lost", len(stale))
            await self.pushes.push_queue()
        return len(stale)

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
