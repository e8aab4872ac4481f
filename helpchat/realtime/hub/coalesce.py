"""Work that many events ask for at once, done at most once per window: the queue push. A
burst of 50 joins a second would otherwise send the whole queue to every counselor and a
position to every waiting youth 50 times a second (quadratic in the queue's length)."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

from redis.exceptions import RedisError

from helpchat.outage import RedisWatch

log = logging.getLogger(__name__)


class Coalesced:
    """`request()` makes sure `work` runs after the call, soon: at once when the last run is a
    window ago, else when the window has passed. Requests meanwhile fold into that one run, so
    nobody's change is left out and the work runs at most once per window."""

    def __init__(self, work: Callable[[], Awaitable[Any]], window_s: float,
                 redis_watch: RedisWatch) -> None:
        self._work = work
        self._window_s = window_s
        self._redis_watch = redis_watch
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._last = -math.inf
        self._working: asyncio.Future[None] | None = None  # while `work` runs

    def request(self) -> None:
        if self._task is not None and not self._task.done():
            self._again = True  # the run under way, or the one waiting, may have read too early
            return
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            wait = self._last + self._window_s - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._again = False  # what was asked until now, this run reads
            self._last = loop.time()
            working = self._working = loop.create_future()
            try:
                await self._work()
            except RedisError as exc:
                self._redis_watch.failed(exc)  # an outage: the next change pushes again
            except Exception:
                log.exception("coalesced push failed")
            finally:
                working.set_result(None)
                self._working = None
            if not self._again:
                return

    async def settled(self) -> None:
        """Wait until a run already under way has sent what it read. Before telling someone
        that the state it read is over (a queued youth: "your chat started"), so that its
        older news cannot arrive after that."""
        if self._working is not None:
            await asyncio.shield(self._working)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
