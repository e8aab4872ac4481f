"""The socket.io client manager that shares emits between processes over Redis pub/sub, with
these changes to python-socketio's own:

- It publishes on the process's one Redis client, whose bounded pool the store uses too, and
  subscribes on one connection of its own, kept for the life of the process. The original makes
  a client (with its own pool) at every connect and every publish retry and never closes the old
  one: under a Redis hiccup that leaked hundreds of connections.
- The subscriber reads its connection's replies itself: redis-py's PubSub spent about 60 us of
  Python on every message (a health check, a retry wrapper with its closures, a dict per
  message), 10-13 % of each process's time with every message crossing (py-spy).
- When Redis dropped its subscriber (output buffer exceeded, Redis restarted), the emits
  published meanwhile are lost to this process, so after resubscribing it tells every socket it
  holds to `resync` (fetch what it missed with `sync` after its last message id).
- Local delivery: python-socketio publishes every emit, also one that no other process could
  deliver: to a socket of this process (every welcome), or while this process serves alone.
  Those are delivered here only, without the round trip through Redis and the decoding on the
  way back. The heartbeats say whether other processes run; a starting process announces itself
  on the channel and waits for the others to have heard it before it serves
  (`announce`, called by app.py).
- Everything this process publishes (its emits, python-socketio's disconnects and room changes
  for sockets of other processes, the announcement) goes out in batches, in order, without the
  publisher waiting for Redis: what is published while a batch is on its way (a message goes
  to the youth's room and to the counselor's) goes out with the next one.
- Delivery without a task per recipient (`_InlineDelivery`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections.abc import AsyncIterator
from typing import Any

import socketio
from engineio import packet as eio_packet
from redis.asyncio.connection import AbstractConnection
from redis.exceptions import RedisError
from socketio import packet

from helpchat.stopping import stop_tasks
from helpchat.store.connection import Redis

log = logging.getLogger(__name__)
NAMESPACES = ("/visitor", "/counselor")
FIRST_RETRY_S, LAST_RETRY_S = 0.1, 5.0
HELLO = "helpchat:hello"  # an emit to nobody: a process announcing itself to the others
# python-socketio's handlers of what other processes publish, by method (as its _thread).
_HANDLERS = {"callback": "_handle_callback", "disconnect": "_handle_disconnect",
             "enter_room": "_handle_enter_room", "leave_room": "_handle_leave_room",
             "close_room": "_handle_close_room"}
BATCH = "helpchat:batch"  # the one thing published: an emit to nobody, its data the messages


class _InlineDelivery(socketio.AsyncManager):  # type: ignore[misc]
    """python-socketio hands each recipient's packet to a task of its own and waits for them
    all; the hand-over only puts the packet on the socket's queue (its writer task sends it),
    so here it is done in place (with orjson, wire_json.py: 15 % less server CPU per relayed
    message, README speed). Placed between the pub/sub manager and AsyncManager in the MRO, so it
    serves this process's emits and those arriving from other processes alike."""

    async def emit(self, event: str, data: Any, namespace: str | None, room: Any = None,
                   skip_sid: Any = None, callback: Any = None, to: Any = None,
                   **kwargs: Any) -> None:
        if callback is not None:  # a packet per recipient, each with its ack id
            return await super().emit(event, data, namespace, room=room, skip_sid=skip_sid,
                                      callback=callback, to=to, **kwargs)
        if namespace not in self.rooms:
            return None
        args = list(data) if isinstance(data, tuple) else [] if data is None else [data]
        encoded = self.server.packet_class(packet.EVENT, namespace=namespace,
                                           data=[event, *args]).encode()
        frames = [eio_packet.Packet(eio_packet.MESSAGE, p)
                  for p in (encoded if isinstance(encoded, list) else [encoded])]
        skip = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        # get_participants gives a copy; engineio drops a packet for a socket closed meanwhile.
        for sid, eio_sid in self.get_participants(namespace, to or room):
            if sid not in skip:
                for frame in frames:
                    await self.server._send_eio_packet(eio_sid, frame)
        return None


class ResyncingRedisManager(socketio.AsyncRedisManager, _InlineDelivery):  # type: ignore[misc]
    def __init__(self, client: Redis, subscriber: Redis, *, channel: str) -> None:
        super().__init__(channel=channel)
        self._client = client
        self._subscriber = subscriber  # its pool's settings make the subscriber's connection
        self._subscription: AbstractConnection | None = None
        self.resubscribes = 0  # for tests and the log: how often the subscriber came back
        self._outbox: list[dict[str, Any]] = []  # emits for the other processes, in order
        self._publisher: asyncio.Task[None] | None = None
        # Publish everything until a heartbeat has shown this process to be the only one.
        self.alone = False

    # local delivery -------------------------------------------------------------------------
    def others_beating(self, count: int) -> None:
        """From each heartbeat: how many other processes beat recently."""
        self.alone = count == 0

    async def announce(self) -> None:
        """Tell the processes already running to publish from now on: this one will hold
        sockets too."""
        await self._publish({"method": "emit", "event": HELLO, "data": [], "namespace": "/",
                             "room": HELLO})

    async def emit(self, event: str, data: Any, namespace: str | None = None,
                   room: Any = None, skip_sid: Any = None, callback: Any = None,
                   to: Any = None, **kwargs: Any) -> Any:
        room, namespace = to or room, namespace or "/"
        if callback is not None:  # (helpchat emits none): python-socketio's own way
            return await super().emit(event, data, namespace=namespace, room=room,
                                      skip_sid=skip_sid, callback=callback, **kwargs)
        await _InlineDelivery.emit(self, event, data, namespace, room=room, skip_sid=skip_sid)
        if not kwargs.get("ignore_queue") and not self._only_here(room, namespace):
            # Unlike python-socketio, without searching the data for bytes to send apart (JSON
            # only, wire_json.py: 4 % of a process's time with every message crossing, py-spy).
            await self._publish({
                "method": "emit", "event": event,
                "data": list(data) if isinstance(data, tuple) else [data],
                "namespace": namespace, "room": room, "skip_sid": skip_sid})
        return None

    def _only_here(self, room: Any, namespace: str) -> bool:
        """No other process can hold a recipient: this one is alone, or every room named is a
        socket id of this process (socket ids are unique across processes)."""
        if self.alone:
            return True
        rooms = room if isinstance(room, list) else [room]
        return room is not None and all(self.is_connected(r, namespace) for r in rooms)

    async def _handle_emit(self, message: dict[str, Any]) -> None:
        if message.get("event") != BATCH:  # as python-socketio publishes it
            await super()._handle_emit(message)
            return
        # Each message of the batch as python-socketio's listener handles one.
        for one in message["data"]:
            method = one.get("method")
            try:
                if method == "emit" and one.get("event") == HELLO:
                    self.alone = False
                elif method == "emit":
                    await super()._handle_emit(one)
                elif method in _HANDLERS:
                    await getattr(self, _HANDLERS[method])(one)
            except Exception:  # as python-socketio's listener: the rest still counts
                log.exception("pub/sub: handling a %s from another process failed", method)

    def _redis_connect(self) -> None:
        # Publishing goes through the shared client, whose pool reconnects by itself; the
        # subscriber is `_subscribe`'s.
        self.redis = self._client
        self.connected = True

    def _resubscribed(self) -> None:
        self.resubscribes += 1
        log.warning("pub/sub subscriber resubscribed; asking clients to resync")
        self.server.start_background_task(self.ask_resync)

    async def _publish(self, data: Any) -> None:
        # Every publish, python-socketio's own included, joins the outbox: one publisher
        # sends it, so batches arrive in the order they were published (an `account_changed`
        # before the disconnect that follows it). Two processes, every message crossing,
        # 3,000/s: 5.5x fewer publishes, 8-10 % less CPU a message in each process.
        self._outbox.append(data)
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.create_task(self._publish_outbox())

    async def _publish_outbox(self) -> None:
        while self._outbox:
            batch, self._outbox = self._outbox, []
            # As python-socketio's: a publish that fails is logged and dropped, not raised
            # (the messages are stored; the other process's clients get them at their next
            # sync). The pool's own retry already covered a stale connection. host_id comes
            # last: `_listen` knows its own by the end.
            try:
                await self._client.publish(self.channel, self.json.dumps({
                    "method": "emit", "event": BATCH, "data": batch, "namespace": "/",
                    "room": BATCH, "host_id": self.host_id}))
            except RedisError as exc:
                log.warning("pub/sub publish failed (%s)", type(exc).__name__)

    async def _listen(self) -> AsyncIterator[Any]:
        # Replies come as [kind, channel, data], decoded (str): the subscriber's connection
        # has the shared client's settings. What this process published (and so delivered
        # already) comes back too: passed over before it is decoded, by its host_id at the
        # end (python-socketio decodes it to find that).
        own = f'"host_id":"{self.host_id}"}}'
        async for reply in self._redis_listen_with_retries():
            if reply[0] == "message" and reply[1] == self.channel and \
                    not reply[2].endswith(own):
                yield reply[2]

    async def _redis_listen_with_retries(self) -> AsyncIterator[Any]:
        # As python-socketio's own loop, with a quicker first retry and the resync hook.
        retry_s, first = FIRST_RETRY_S, True
        while True:
            try:
                connection = await self._subscribe()
                if not first:
                    self._resubscribed()
                first, retry_s = False, FIRST_RETRY_S
                while True:
                    yield await connection.read_response(timeout=math.inf, push_request=True)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - any failure: reconnect and resubscribe
                if retry_s == FIRST_RETRY_S:  # once per outage, not once per retry
                    log.warning("pub/sub subscriber lost (%s); retrying", type(exc).__name__)
                await asyncio.sleep(retry_s)
                retry_s = min(retry_s * 2, LAST_RETRY_S)

    async def _subscribe(self) -> AbstractConnection:
        """A new connection (under Sentinel: to the master it names now), subscribed once
        Redis confirmed it: what is published from then on reaches this process."""
        await self._drop_subscriber()
        self._redis_connect()
        pool = self._subscriber.connection_pool
        connection = self._subscription = pool.connection_class(**pool.connection_kwargs)
        await connection.connect()
        # Under RESP3 every message is a push reply, which passes this handler; redis-py's
        # own formats each one for a debug log (its PubSub sets its handler the same way).
        connection._parser.set_pubsub_push_handler(_as_it_came)
        await connection.send_command("SUBSCRIBE", self.channel)
        confirmed = await connection.read_response(push_request=True)  # within socket_timeout
        if not (isinstance(confirmed, list) and confirmed[:2] == ["subscribe", self.channel]):
            raise RedisError(f"unexpected answer to SUBSCRIBE: {confirmed!r:.80}")
        return connection

    async def follow_new_master(self) -> None:
        """After a Sentinel failover: subscribe and publish on the new master. The old one may
        answer as master for seconds and keep whatever is published there to itself. Closing
        the subscriber's connection under its pending read makes the listen loop fail, connect
        anew (to the master Sentinel names now), resubscribe and ask every client to resync
        what it may have missed."""
        await self._drop_subscriber()

    async def stop(self, within_s: float) -> None:
        """At shutdown: the listener ends and the subscriber's connection closes.
        python-socketio leaves its listener to the event loop's exit, whose one cancel can be
        swallowed (stopping.py): the process then never exited."""
        if self._publisher is not None:  # what was emitted last still goes out
            await asyncio.wait([self._publisher], timeout=within_s)
            await stop_tasks([self._publisher], within_s)
        listener = getattr(self, "thread", None)  # started by the first connect
        if listener is not None:
            await stop_tasks([listener], within_s)
        await self._drop_subscriber()
        await self._subscriber.aclose()

    async def _drop_subscriber(self) -> None:
        # Closed, not left astray; a dead one may fail to close cleanly.
        connection, self._subscription = self._subscription, None
        if connection is not None:
            with contextlib.suppress(RedisError, OSError):
                await connection.disconnect(nowait=True)

    async def ask_resync(self) -> None:
        # Local sockets only (ignore_queue): every process does this for its own.
        for namespace in NAMESPACES:
            await self.emit("resync", {}, namespace=namespace, ignore_queue=True)


async def _as_it_came(reply: Any) -> Any:
    return reply
