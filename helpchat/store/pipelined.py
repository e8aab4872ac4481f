"""One Redis connection on which batches of commands are written as they come, without waiting
for the replies to the batches before them, and one task reading the replies.

redis-py's own way takes a pooled connection per batch, writes under an `asyncio.wait_for` (a
task of its own), reads each reply under an `asyncio.timeout` and hands the connection back:
under the pairing load that was 29 % of the event loop's busy time (py-spy), for a few
commands a batch. Redis answers the commands of one connection in the order it got them, so
here the replies are matched to their callers by order, and one timer watches them all: when
the oldest reply is late by the connection's `socket_timeout`, the connection is closed and
every caller still waiting gets redis-py's TimeoutError, as it would have on its own
connection. A lost connection gives each waiting caller a ConnectionError. Neither is retried
here: BatchingRedis resends (batching.py).

Only commands that return at once belong here: a blocking one (BLPOP, WAIT) would hold up
every caller behind it. BatchingRedis sends those on a pooled connection."""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from typing import Any

from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import DataError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from helpchat.stopping import stop_tasks

# (arguments, options, reply future); the batch a caller's command is in.
Queued = tuple[tuple[Any, ...], dict[str, Any], "asyncio.Future[Any]"]
# A reply's value from the raw reply (redis-py's response callbacks), given the command's name
# and options; an error reply comes as the ResponseError.
Parse = Callable[[Any, dict[str, Any], Any], Any]
# The watch looks this often per timeout: a hung Redis is noticed within 1.25 timeouts.
WATCHES_PER_TIMEOUT = 4
CLOSE_WITHIN_S = 1.0


class PipelinedConnection:
    def __init__(self, connection: AbstractConnection, parse: Parse) -> None:
        self._timeout_s: float | None = connection.socket_timeout
        # Its connect is tried once: the caller's retry is what tries again (as it is for a
        # pooled connection), or a Redis that is down would be tried 4 x 4 times.
        connection.retry = Retry(NoBackoff(), 0)
        self.connection = connection
        self._parse = parse
        # Per command on the wire, in order: (name, options, reply, loop time written).
        self._waiting: deque[tuple[Any, dict[str, Any], asyncio.Future[Any], float]] = deque()
        self._error: BaseException | None = None  # set once: the connection is done
        self._retiring = False
        self._cancel_reason: BaseException | None = None
        self._watch_timer: asyncio.TimerHandle | None = None
        self._reader: asyncio.Task[None] | None = None
        self._ready = asyncio.ensure_future(self._connect())

    @property
    def usable(self) -> bool:
        """Takes new commands: neither failed nor retired."""
        return self._error is None and not self._retiring

    @property
    def open(self) -> bool:
        """Not yet closed: a retired connection stays open until its last reply is read."""
        return self._error is None

    @property
    def connected(self) -> bool:
        return bool(self.connection.is_connected)

    @property
    def address(self) -> tuple[Any, Any]:
        """(host, port) it is connected to; (None, None) on a unix socket."""
        connection = self.connection
        return getattr(connection, "host", None), getattr(connection, "port", None)

    async def send(self, batch: list[Queued]) -> None:
        """Writes the batch. Replies settle each caller's future as they are read; a command
        Redis could not be sent (a value it cannot take) gets its DataError at once."""
        if not self._ready.done():
            await asyncio.shield(self._ready)  # one connect, whichever batch waits for it
        self._ready.result()  # its connect error, if it failed
        connection = self.connection
        if not self.usable or not connection.is_connected:  # (nothing written: safe to resend)
            raise RedisConnectionError("redis connection closed")
        chunks: list[bytes] = []
        written = self._waiting
        now = asyncio.get_running_loop().time()
        for args, options, reply in batch:
            try:
                chunks.extend(connection.pack_command(*args))
            except DataError as exc:
                _settle(reply, exc)
                continue
            written.append((args[0], options, reply, now))
        if not chunks:
            return
        try:
            # Written before its first await (the connection is open and the health check
            # off), so the bytes go out in the order the commands joined `_waiting`.
            await connection.send_packed_command(chunks, check_health=False)
        except Exception as exc:
            self._fail(exc)
            raise

    def retire(self) -> None:
        """Takes no new commands and closes once the replies on the wire are read: its
        batches go to another connection now (another master after a failover)."""
        self._retiring = True
        if not self._waiting:
            self._stop(RedisConnectionError("redis connection retired"))

    async def aclose(self) -> None:
        self._stop(RedisConnectionError("redis client closed"))
        if not self._ready.done():
            self._ready.cancel()
        if self._reader is not None:  # bounded, as every task stopped at shutdown
            await stop_tasks([self._reader], CLOSE_WITHIN_S)

    async def _connect(self) -> None:
        connection = self.connection
        try:
            await connection.connect()  # its handshake still under socket_timeout
        except BaseException as exc:
            self._fail(exc)
            raise
        if self._error is not None:  # closed meanwhile
            await connection.disconnect(nowait=True)
            return
        # From now on the watch is the timeout: reads and writes run without a timer each.
        connection.socket_timeout = None
        self._reader = asyncio.ensure_future(self._read())
        if self._timeout_s:
            self._watch()

    async def _read(self) -> None:
        connection, waiting = self.connection, self._waiting
        error: BaseException = RedisConnectionError("redis connection closed")
        try:
            while not (self._retiring and not waiting):
                try:
                    response: Any = await connection.read_response(timeout=math.inf)
                except ResponseError as exc:  # an error reply: the caller's own
                    response = exc
                name, options, reply, _ = waiting.popleft()  # IndexError: a reply unasked
                if reply.done():  # its caller was cancelled
                    continue
                try:
                    _settle(reply, self._parse(name, options, response))
                except Exception as exc:  # noqa: BLE001 - a callback's error is the caller's
                    _settle(reply, exc)
        except asyncio.CancelledError:
            error = self._cancel_reason or error
        except IndexError:
            error = RedisConnectionError("redis sent a reply no command asked for")
        except Exception as exc:  # noqa: BLE001 - the connection is lost: every caller's error
            error = exc
        finally:
            self._fail(error)
            if connection.is_connected:
                await connection.disconnect(nowait=True)

    def _watch(self) -> None:
        if self._error is not None or not self._timeout_s:
            return
        waiting = self._waiting
        if waiting and asyncio.get_running_loop().time() - waiting[0][3] > self._timeout_s:
            self._stop(RedisTimeoutError(f"no reply from redis within {self._timeout_s} s"))
            return
        self._watch_timer = asyncio.get_running_loop().call_later(
            self._timeout_s / WATCHES_PER_TIMEOUT, self._watch)

    def _stop(self, reason: BaseException) -> None:
        """The reader ends with `reason`, failing every caller still waiting with it."""
        if self._cancel_reason is None:
            self._cancel_reason = reason
        if self._reader is not None and not self._reader.done():
            self._reader.cancel()
        else:
            self._fail(reason)

    def _fail(self, error: BaseException) -> None:
        if self._error is None:
            self._error = error
        if self._watch_timer is not None:
            self._watch_timer.cancel()
        waiting = self._waiting
        while waiting:
            _settle(waiting.popleft()[2], error)
        if self._reader is not None and self._reader is not asyncio.current_task():
            self._reader.cancel()


def _settle(reply: asyncio.Future[Any], result: Any) -> None:
    if reply.done():  # the caller was cancelled meanwhile
        return
    if isinstance(result, asyncio.CancelledError):  # (a future cannot take it as an error)
        reply.cancel()
    elif isinstance(result, BaseException):
        reply.set_exception(result)
    else:
        reply.set_result(result)
