"""Shutdown stops background tasks even when one swallows its cancellation (as
asyncio.wait_for does on Python 3.11 when the inner result lands with the cancel)."""

from __future__ import annotations

import asyncio
import contextlib
import time

from helpchat.stopping import stop_tasks


async def _swallows_its_first_cancel() -> None:
    # What wait_for did on 3.11: the write had finished, so its result won over the cancel.
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.sleep(3600)
    await asyncio.sleep(3600)  # and on it goes, as the pub/sub listener went back to reading


async def test_a_task_that_swallowed_a_cancel_is_cancelled_again_until_it_ends() -> None:
    task = asyncio.create_task(_swallows_its_first_cancel())
    await asyncio.sleep(0)
    assert await stop_tasks([task], within_s=2.0) == set()
    assert task.cancelled()


async def test_a_task_that_never_lets_go_is_given_up_on_within_the_bound() -> None:
    released = asyncio.Event()

    async def holds_on() -> None:
        while not released.is_set():
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(3600)

    task = asyncio.create_task(holds_on())
    await asyncio.sleep(0)
    started = time.monotonic()
    assert await stop_tasks([task], within_s=0.3) == {task}
    assert 0.3 <= time.monotonic() - started < 1.0
    released.set()
    task.cancel()
    await asyncio.wait([task])


async def test_tasks_already_done_are_left_as_they_are() -> None:
    task = asyncio.create_task(asyncio.sleep(0, result="done"))
    await task
    assert await stop_tasks([task], within_s=1.0) == set()
    assert task.result() == "done"
