"""The one reading behind every availability and wait estimate (service_load.lua): who is on
duty and since when each of them has had no connection, how many connected visitors wait, and
recent chat durations. Every arrival, request and queue push reads it."""

from __future__ import annotations

from dataclasses import dataclass

from helpchat.store import keys
from helpchat.store.connection import Scripts


@dataclass(frozen=True)
class LoadReading:
    duty: dict[str, str]  # counselor id -> "on" | "pause", for everyone not off duty
    gone_ms: dict[str, int]  # counselor id (of those) -> when its last socket closed
    queue_length: int  # connected, waiting visitors (Queue.length)
    handle_times: list[int]  # recent chat durations, seconds (Stats.handle_times)


class ServiceLoad:
    def __init__(self, scripts: Scripts) -> None:
        self._scripts = scripts

    async def read(self) -> LoadReading:
        duty, gone, waiting, handle = await self._scripts.service_load(
            keys=[keys.DUTY, keys.GONE, keys.QUEUE, keys.STATS_HANDLE], args=[keys.PREFIX])
        ids, states = duty[0::2], duty[1::2]
        return LoadReading(
            duty=dict(zip(ids, states, strict=True)),
            gone_ms={cid: int(float(at)) for cid, at in zip(ids, gone, strict=True) if at},
            queue_length=int(waiting),
            handle_times=[int(v) for v in handle],
        )
