"""The Redis client every part of the store shares, which sends the commands issued within one
turn of the event loop to Redis together, in one pipeline.

redis-py spends about 200 us of Python per command on its own (taking a pooled connection,
writing, reading, handing it back); a pipeline pays that once for all its commands. Under
load, the handlers of many sockets run in the same turn of the loop, each with its one
command (a message's script, a session read, a publish): measured on this machine, 20
concurrent callers cost 64 us a command batched against 203 us one by one, and one caller
alone 267 against 234 us (the hand-over to the next turn). In the relay harness at 2,000
msg/s offered, one process delivered 1,574-1,636 msg/s instead of 961-1,038, at 609-631 us of
server CPU a message instead of 962-1,038. Batching also keeps a burst from queueing for the
pool's connections (redis-py's blocking pool is not fair: 100 callers on 31 connections saw
some wait past the pool's 5 s timeout): a turn's commands take one.

The batches go out on one connection of their own, each written as it comes without waiting
for the replies to the ones before (pipelined.py). Each command keeps its own reply or error,
so a caller sees what it would have seen alone. A command whose connection was lost or timed
out is sent again by the pool's retry policy, as it would have been alone (connection.py says
why that is safe). Explicit pipelines and transactions (`pipeline()`), blocking commands and
the pub/sub subscriber use the pool's connections: they are not batched.

Under Sentinel the batches' connection follows the master: once the pool has learnt of a new
one (MasterFollower asks every second), the next batch opens a connection to it, and the old
one closes when its last reply is in."""

from __future__ import annotations

import asyncio
import copy
from functools import partial
from typing import Any

import redis.asyncio as redis
from redis.asyncio.sentinel import SentinelConnectionPool
from redis.client import EMPTY_RESPONSE, NEVER_DECODE
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from helpchat.store.pipelined import PipelinedConnection, Queued

# One write holds at most this many commands; more in one turn make several.
MAX_BATCH = 256
# They wait for Redis rather than answer at once: on the shared connection they would hold
# up every command behind them.
BLOCKING = frozenset({"BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN",
                      "BZPOPMAX", "BZMPOP", "XREAD", "XREADGROUP", "WAIT", "WAITAOF"})


class BatchingRedis(redis.Redis):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._batch: list[Queued] | None = None
        self._sending: set[asyncio.Task[None]] = set()  # referenced until done
        self._link: PipelinedConnection | None = None
        self._retiring: set[PipelinedConnection] = set()
        # A command is sent once as it comes; only a failed one goes through the retry policy,
        # for the tries left (redis-py's wrapper around every command cost each one a coroutine).
        retry = self.connection_pool.connection_kwargs.get("retry")
        self._resend = None
        if retry is not None and retry.get_retries() != 0:  # (-1: for ever)
            self._resend = copy.deepcopy(retry)
            self._resend.update_retries(max(retry.get_retries() - 1, -1))
        self._sentinel = isinstance(self.connection_pool, SentinelConnectionPool)

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        if args[0] in BLOCKING or NEVER_DECODE in options:
            return await super().execute_command(*args, **options)
        try:
            return await self._queue(args, options)
        except (RedisConnectionError, RedisTimeoutError):
            if self._resend is None:
                raise
        return await self._resend.call_with_retry(partial(self._queue, args, options),
                                                  _no_cleanup)

    def _queue(self, args: tuple[Any, ...], options: dict[str, Any]) -> asyncio.Future[Any]:
        loop = asyncio.get_running_loop()
        if self._batch is None:
            self._batch = []
            loop.call_soon(self._send_batch)
        reply = loop.create_future()
        self._batch.append((args, options, reply))
        return reply

    def _send_batch(self) -> None:
        batch, self._batch = self._batch or [], None
        link = self._current_link()
        for start in range(0, len(batch), MAX_BATCH):
            part = batch[start:start + MAX_BATCH]
            task = asyncio.ensure_future(link.send(part))
            self._sending.add(task)
            task.add_done_callback(partial(self._sent, part))

    def _sent(self, batch: list[Queued], task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        if task.cancelled():  # the loop shutting down, even before it began: no caller
            for _, _, reply in batch:  # waits for ever
                reply.cancel()  # a no-op for a reply already settled
        elif (error := task.exception()) is not None:  # not written: no reply will come
            for _, _, reply in batch:
                if not reply.done():
                    reply.set_exception(error)

    def _current_link(self) -> PipelinedConnection:
        link = self._link
        if link is not None and link.usable and not self._master_moved(link):
            return link
        if link is not None:
            link.retire()
            self._retiring.add(link)
        pool = self.connection_pool
        self._link = PipelinedConnection(pool.connection_class(**pool.connection_kwargs),
                                         self._parse)
        self._retiring = {old for old in self._retiring if old.open}
        return self._link

    def _master_moved(self, link: PipelinedConnection) -> bool:
        pool = self.connection_pool
        return (self._sentinel and pool.master_address is not None and link.connected
                and link.address != tuple(pool.master_address))

    def _parse(self, name: Any, options: dict[str, Any], response: Any) -> Any:
        """As redis-py's parse_response makes a reply into what the command returns."""
        if isinstance(response, ResponseError):
            return options.get(EMPTY_RESPONSE, response)
        callback = self.response_callbacks.get(name)
        if callback is None:
            return response
        if options:  # (what redis-py keeps for its own use, not the callback's)
            options = {k: v for k, v in options.items() if k not in (EMPTY_RESPONSE, "keys")}
        return callback(response, **options)

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        links = [*self._retiring, *([self._link] if self._link else [])]
        self._link, self._retiring = None, set()
        await asyncio.gather(*(link.aclose() for link in links))
        await super().aclose(close_connection_pool)


async def _no_cleanup(_error: Exception) -> None:
    """The failed connection has already closed itself (pipelined.py)."""
