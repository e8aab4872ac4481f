"""Stopping background tasks at shutdown, even one that swallowed its cancellation.

On Python 3.11, `asyncio.wait_for` returns the inner result and drops a cancellation that lands
just as the inner awaitable finishes (CPython gh-86296, fixed in 3.12). redis-py writes every
command under `wait_for` (its socket timeout), so a task cancelled during a Redis write may carry
on as if nothing happened: the pub/sub listener then went back to reading its subscription,
and the event loop's close waited for it forever. Cancelling again, a moment later, lands
elsewhere."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

RECANCEL_S = 0.1


async def stop_tasks(tasks: Iterable[asyncio.Task[Any]], within_s: float,
                     ) -> set[asyncio.Task[Any]]:
    """Cancel the tasks, and again every RECANCEL_S while any still runs, for up to within_s.
    The tasks that still run then (each is left to the loop's own cancel at exit)."""
    running = {task for task in tasks if not task.done()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within_s
    while running and (left := deadline - loop.time()) > 0:
        for task in running:
            task.cancel()
        _, running = await asyncio.wait(running, timeout=min(RECANCEL_S, left))
    return running
