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

Each command keeps its own reply or error (a pipeline without MULTI, errors returned in place),
so a caller sees what it would have seen alone. A connection lost under a batch is retried as
a whole by the pool's retry, as each command alone would have been (connection.py says why
that is safe). Explicit pipelines and transactions (`pipeline()`) and the pub/sub
subscriber are not batched: they are not sent through here."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any

import redis.asyncio as redis

# One pipeline holds at most this many commands; more in one turn make several.
MAX_BATCH = 256
Waiting = tuple[tuple[Any, ...], dict[str, Any], "asyncio.Future[Any]"]


class BatchingRedis(redis.Redis):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._batch: list[Waiting] | None = None
        self._sending: set[asyncio.Task[None]] = set()  # referenced until done

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        loop = asyncio.get_running_loop()
        if self._batch is None:
            self._batch = []
            loop.call_soon(self._send_batch)
        reply = loop.create_future()
        self._batch.append((args, options, reply))
        return await reply

    def _send_batch(self) -> None:
        batch, self._batch = self._batch or [], None
        for start in range(0, len(batch), MAX_BATCH):
            part = batch[start:start + MAX_BATCH]
            task = asyncio.ensure_future(self._send(part))
            self._sending.add(task)
            task.add_done_callback(partial(self._done, part))

    def _done(self, batch: list[Waiting], task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        # Cancelled (the loop shutting down), even before it began: no caller waits for ever.
        for _, _, reply in batch:
            reply.cancel()  # a no-op for a reply already settled

    async def _send(self, batch: list[Waiting]) -> None:
        if len(batch) == 1:  # alone in its turn: as redis-py sends it, without a pipeline
            args, options, reply = batch[0]
            try:
                _settle(reply, await super().execute_command(*args, **options))
            except Exception as exc:  # noqa: BLE001 - the caller's own error, raised there
                _settle(reply, exc)
            return
        pipe = self.pipeline(transaction=False)
        for args, options, _ in batch:
            pipe.execute_command(*args, **options)
        try:
            replies = await pipe.execute(raise_on_error=False)
        except Exception as exc:  # noqa: BLE001 - the batch's connection failed: each caller's
            replies = [exc] * len(batch)
        for (_, _, reply), result in zip(batch, replies, strict=True):
            _settle(reply, result)


def _settle(reply: asyncio.Future[Any], result: Any) -> None:
    if reply.done():  # the caller was cancelled meanwhile
        return
    if isinstance(result, BaseException):
        reply.set_exception(result)
    else:
        reply.set_result(result)

