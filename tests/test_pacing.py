"""Arrival pacing on a real event loop kept busy on purpose: arrivals wait while the process is
busy relaying chats, in their order, and pass at once when it has time or nothing to protect."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from helpchat.metrics import Metrics
from helpchat.realtime.pacing import MAX_RELEASE, ArrivalPacer, next_release
from tests.support import eventually

# The busy limit of the pacers kept busy on purpose: low, as a loaded machine (the rest of the
# suite on both cores) gives the burning loop well under a whole CPU.
BUSY = 0.2


def test_the_release_halves_while_busy_and_doubles_while_not_within_bounds() -> None:
    assert next_release(8, behind=True) == 4
    assert next_release(1, behind=True) == 1
    assert next_release(4, behind=False) == 8
    assert next_release(MAX_RELEASE, behind=False) == MAX_RELEASE


@contextlib.asynccontextmanager
async def running(pacer: ArrivalPacer) -> AsyncIterator[ArrivalPacer]:
    task = asyncio.create_task(pacer.run())
    try:
        yield pacer
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


@contextlib.asynccontextmanager
async def busy_loop(pacer: ArrivalPacer, chatting: bool) -> AsyncIterator[None]:
    """The CPU kept busy in 4 ms slices (the loop still turns between them), relaying a chat
    message at each when `chatting`."""
    stop = asyncio.Event()

    async def burn() -> None:
        while not stop.is_set():
            end = time.process_time() + 0.004
            while time.process_time() < end:
                pass
            if chatting:
                pacer.chat_message()
            await asyncio.sleep(0)

    task = asyncio.create_task(burn())

    async def risen() -> bool:  # within a tenth of a second when idle, later on a loaded machine
        return pacer.busy > pacer.busy_limit

    await eventually(risen)
    try:
        yield
    finally:
        stop.set()
        await task


def _paced(metrics: Metrics) -> float | None:
    return metrics.registry.get_sample_value("helpchat_arrivals_paced_total")


async def _arrive(pacer: ArrivalPacer, order: list[int], n: int) -> None:
    await pacer.enter()
    order.append(n)


async def test_an_arrival_passes_at_once_while_the_process_has_time_to_spare() -> None:
    metrics = Metrics()
    async with running(ArrivalPacer(0.5, 10, metrics)) as pacer:
        await asyncio.sleep(0.05)
        pacer.chat_message()
        await asyncio.wait_for(pacer.enter(), 0.01)
    assert _paced(metrics) == 0


async def test_arrivals_wait_in_order_while_busy_with_chats_and_pass_once_it_eases() -> None:
    metrics = Metrics()
    order: list[int] = []
    async with running(ArrivalPacer(BUSY, 10, metrics)) as pacer:
        async with busy_loop(pacer, chatting=True):
            assert pacer.behind
            arrivals = []
            for n in range(20):
                arrivals.append(asyncio.create_task(_arrive(pacer, order, n)))
                await asyncio.sleep(0)
            await asyncio.sleep(0.3)
            # Busy: only the floor (one a tenth of a second) got in, the first ones first.
            assert 1 <= len(order) <= 5, order
        # The process eases: the rest get in.
        await asyncio.wait_for(asyncio.gather(*arrivals), 2)
    assert order == list(range(20))
    assert _paced(metrics) == 20


async def test_a_busy_process_with_no_chat_to_protect_lets_a_burst_straight_in() -> None:
    async with running(ArrivalPacer(BUSY, 10, Metrics())) as pacer, \
            busy_loop(pacer, chatting=False):
        assert pacer.busy > BUSY
        assert not pacer.behind
        await asyncio.wait_for(pacer.enter(), 0.05)


async def test_nobody_waits_longer_than_the_longest_wait() -> None:
    async with running(ArrivalPacer(BUSY, 0.3, Metrics())) as pacer, \
            busy_loop(pacer, chatting=True):
        # Queue up more than the floor lets in, so the last ones wait the whole limit.
        first = [asyncio.create_task(pacer.enter()) for _ in range(10)]
        started = time.perf_counter()
        await asyncio.wait_for(asyncio.gather(*first), 1)
        assert 0.25 <= time.perf_counter() - started < 0.8


async def test_pacing_off_lets_everyone_in() -> None:
    async with running(ArrivalPacer(0, 10, Metrics())) as pacer, busy_loop(pacer, chatting=True):
        await asyncio.wait_for(pacer.enter(), 0.05)
