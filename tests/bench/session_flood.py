"""A session flood from its own process, as an attacker's laptop sends it: `python -m
tests.bench.session_flood URL N` opens N visitor sockets, 50 at a time, waits for each one's
`session` and drops it. Prints how many got one and how long it took."""

from __future__ import annotations

import asyncio
import sys
import time

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


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
