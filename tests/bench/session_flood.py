"""A session flood from its own process, as an attacker's laptop sends it: `python -m
tests.bench.session_flood URL N` opens N visitor sockets, 50 at a time, waits for each one's
`session` and drops it. Prints how many got one and how long it took.

`chat_during_flood` runs it against a server while a chat on that server goes on, and times
the chat's round trips (the suite's check and the bench's figure)."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import socketio

BATCH = 50


async def one(url: str) -> bool:
    client = socketio.AsyncClient(reconnection=False)
    got = asyncio.Event()
    client.on("session", lambda _data: got.set(), namespace="/visitor")
    try:
        await client.connect(url, namespaces=["/visitor"], transports=["websocket"])
        await asyncio.wait_for(got.wait(), 30)
        return True
    except (socketio.exceptions.ConnectionError, TimeoutError):
        return False
    finally:
        await client.disconnect()


async def main(url: str, sessions: int) -> None:
    started, served = time.perf_counter(), 0
    for _ in range(0, sessions, BATCH):
        served += sum(await asyncio.gather(*(one(url) for _ in range(BATCH))))
    print(f"{served} of {sessions} sessions served in {time.perf_counter() - started:.0f} s",
          flush=True)


@dataclass(frozen=True)
class FloodReport:
    flood: str  # the generator's own line: how many were served, in how long
    quiet: list[float]  # round trips (s) before the flood
    during: list[float]  # round trips (s) while it ran

    @property
    def quiet_median(self) -> float:
        return statistics.median(self.quiet)

    @property
    def median(self) -> float:
        return statistics.median(self.during)

    @property
    def p95(self) -> float:
        return sorted(self.during)[int(len(self.during) * 0.95)]

    def __str__(self) -> str:
        return (f"{self.flood}; running chat round trip median {self.median * 1000:.1f} ms "
                f"(quiet: {self.quiet_median * 1000:.1f} ms), p95 {self.p95 * 1000:.1f} ms "
                f"over {len(self.during)}")


async def chat_during_flood(url: str, redis_url: str, sessions: int) -> FloodReport:
    """A chat on the server at `url` (its visitor rate limit lifted: 5 messages a second are
    timed) says "nog daar?" every 0.2 s while another process opens and drops `sessions`."""
    from tests.faults import REPO, chat_on  # the suite's helpers: not needed by the generator

    anna, youth, _ = await chat_on(url, redis_url)

    async def round_trip(n: int) -> float:
        t0 = time.perf_counter()
        await youth.call("message", {"client_id": f"p{n}", "text": "nog daar?"})
        await anna.wait_for("message", lambda m: m["client_id"] == f"p{n}", timeout=60)
        return time.perf_counter() - t0

    flood = None
    try:
        quiet = [await round_trip(n) for n in range(20)]
        flood = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.bench.session_flood", url, str(sessions),
            cwd=Path(REPO), stdout=asyncio.subprocess.PIPE)
        during, n = [], 100
        while flood.returncode is None:
            n += 1
            during.append(await round_trip(n))
            await asyncio.sleep(0.2)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(flood.wait(), 0.001)
        out = (await flood.communicate())[0].decode().strip()
        return FloodReport(out, quiet, during)
    finally:
        if flood is not None and flood.returncode is None:
            flood.kill()
        await youth.close()
        await anna.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
