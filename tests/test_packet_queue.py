"""The queue of one connection's outgoing packets keeps what engineio asks of a queue."""

from __future__ import annotations

import asyncio

import pytest

from helpchat.realtime.packet_queue import PacketQueue


async def test_packets_come_out_in_the_order_they_went_in() -> None:
    queue = PacketQueue()
    for n in range(5):
        await queue.put(n)
    assert queue.qsize() == 5
    assert [await queue.get(), queue.get_nowait()] == [0, 1]
    assert [queue.get_nowait() for _ in range(3)] == [2, 3, 4]
    assert queue.empty()
    with pytest.raises(asyncio.QueueEmpty):
        queue.get_nowait()


async def test_a_waiting_reader_gets_the_next_packet_put() -> None:
    queue = PacketQueue()
    reader = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    assert not reader.done()
    queue.put_nowait("ping")
    assert await asyncio.wait_for(reader, 1) == "ping"


async def test_a_reader_that_timed_out_leaves_the_packet_for_the_next() -> None:
    queue = PacketQueue()
    with pytest.raises(asyncio.TimeoutError):  # as engineio's poll waits: with a timeout
        await asyncio.wait_for(queue.get(), 0.01)
    queue.put_nowait("message")
    assert await asyncio.wait_for(queue.get(), 1) == "message"


async def test_a_reader_cancelled_as_it_was_woken_passes_the_packet_on() -> None:
    queue = PacketQueue()
    first = asyncio.ensure_future(queue.get())
    second = asyncio.ensure_future(queue.get())
    await asyncio.sleep(0)
    queue.put_nowait("message")  # wakes the first reader
    first.cancel()  # before it ran
    assert await asyncio.wait_for(second, 1) == "message"
    assert first.cancelled()


async def test_join_waits_until_every_packet_is_done() -> None:
    queue = PacketQueue()
    await queue.join()  # nothing queued: at once
    queue.put_nowait("a")
    queue.put_nowait("b")
    joined = asyncio.ensure_future(queue.join())
    queue.get_nowait()
    queue.task_done()
    await asyncio.sleep(0)
    assert not joined.done()
    queue.get_nowait()
    queue.task_done()
    await asyncio.wait_for(joined, 1)
    with pytest.raises(ValueError):
        queue.task_done()
