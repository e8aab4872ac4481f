"""Arrival pacing: while this process is busy and relaying chats, a new visitor's connection
waits its turn, so the chats under way keep their pace.

A flood of connects (a script opening and dropping sessions, or a campaign's burst) is then
served with the time the process can spare, first come first served, instead of every chat's
messages queueing behind hundreds of welcomes. "Busy" is measured, not guessed: the share of
the last ~50 ms the event loop's thread spent on the CPU (password hashing in worker threads
not counted: it holds up no chat). The event loop's lag alone does not show it: a
loop kept busy by many short callbacks fires its timers nearly on time, yet a message that
needs several passes through it waits behind all of them at each. While the process has time
to spare, or no chat to protect (no message relayed in the last CHAT_MEMORY_S: a campaign's
burst before anyone talks), an arrival passes at once; nobody waits longer than `max_wait_s`,
however long the flood lasts.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque

from helpchat.metrics import Metrics

TICK_S = 0.01
# With nobody waiting the timer only measures, and does so less often: at every 10 ms it cost
# 4 % of the loop at 50 arrivals a second (py-spy).
IDLE_TICK_S = 0.05
# A 10 ms reading counts this much in the average (about five such readings' memory; a longer
# one counts as that many 10 ms readings would).
SMOOTHING = 0.2
CHAT_MEMORY_S = 2.0
# At most this many waiting arrivals are let in per tick, however idle the process: one welcome
# costs a few milliseconds of its time, and a batch is served in one go, so a larger one would
# hold up a chat's message for that long (8 a tick is 800 a second, more than it can serve).
MAX_RELEASE = 8
# While busy, one waiting arrival is still let in every this many ticks (10 a second): the
# chats alone may keep the process that busy, and new visitors must not wait `max_wait_s` then.
FLOOR_TICKS = 10


def next_release(quota: int, behind: bool) -> int:
    """How many waiting arrivals the next tick with time to spare lets in: halved while the
    process is busy, doubled while it is not (the pace settles just under the limit)."""
    return max(1, quota // 2) if behind else min(MAX_RELEASE, quota * 2)


class ArrivalPacer:
    def __init__(self, busy_limit: float, max_wait_s: float, metrics: Metrics) -> None:
        self.busy_limit = busy_limit  # a share of one CPU; 0: pacing off
        self.max_wait_s = max_wait_s
        self.metrics = metrics
        self.busy = 0.0
        self._quota = 1
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._last_chat = -CHAT_MEMORY_S

    def chat_message(self) -> None:
        """A chat message is being relayed: there is a chat to keep at its pace."""
        self._last_chat = time.monotonic()

    @property
    def behind(self) -> bool:
        return self.busy > self.busy_limit and \
            time.monotonic() - self._last_chat < CHAT_MEMORY_S

    async def enter(self) -> None:
        """Return when this arrival may be served: at once while the process has time to spare
        and nobody is waiting ahead of it; otherwise in its turn, or after `max_wait_s`."""
        if self.busy_limit <= 0 or (not self._waiting and not self.behind):
            return
        turn = asyncio.get_running_loop().create_future()
        self._waiting.append(turn)
        self.metrics.arrivals_paced.inc()
        # On timeout wait_for cancels `turn`: the release skips it.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(turn, self.max_wait_s)

    async def run(self) -> None:
        """The measuring timer; runs for the life of the process."""
        wall, cpu, ticks = time.perf_counter(), time.thread_time(), 0
        while True:
            await asyncio.sleep(TICK_S if self._waiting else IDLE_TICK_S)
            now_wall, now_cpu = time.perf_counter(), time.thread_time()
            elapsed = max(now_wall - wall, 1e-6)
            sample = (now_cpu - cpu) / elapsed
            wall, cpu = now_wall, now_cpu
            self.busy += (1 - (1 - SMOOTHING) ** (elapsed / TICK_S)) * (sample - self.busy)
            self.metrics.cpu_busy.set(self.busy)
            self._quota = next_release(self._quota, self.behind)
            ticks += 1
            if not self.behind:
                self._release(self._quota)
            elif ticks % FLOOR_TICKS == 0:
                self._release(1)

    def _release(self, count: int) -> None:
        while count and self._waiting:
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                count -= 1
