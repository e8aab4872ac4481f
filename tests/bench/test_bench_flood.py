"""Queue flood (issue 8, point 3): scripts join the queue as fast as they can with throwaway
sessions marked urgent, while a real youth joins and a counselor takes the next chat.

Run on demand: `make bench ARGS="-k flood"`. Prints, per scenario: join attempts per second sent
and answered (absorbed), answer latency, fake entries admitted (and per minute), and when the
youth was in the queue and taken. The counselor takes next and sheds whatever is not the youth,
as a counselor would (one action per fake). Bounded: FLOOD_S seconds, RATE joins/s at most.
"""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import time
from typing import Any

import pytest

from helpchat import proof
from helpchat.config import Settings
from tests.conftest import ServerFactory
from tests.support import Client, Counselor, make_counselor, visitor

pytestmark = pytest.mark.bench

RATE = 100  # join attempts per second, all scripts together
SOCKETS = 20
FLOOD_S = 12.0
YOUTH_AFTER_S = 4.0


@dataclasses.dataclass
class Figures:
    sent: int = 0
    answered: int = 0
    admitted: int = 0
    refused: int = 0
    solved: int = 0
    latencies: list[float] = dataclasses.field(default_factory=list)


def production_defaults() -> dict[str, Any]:
    """The shipped defaults of every proof_* setting (the test suite turns the proof off)."""
    return {f.name: f.default for f in dataclasses.fields(Settings)
            if f.name.startswith("proof_")}


async def script(url: str, figures: Figures, stop: asyncio.Event, solve: bool,
                 held: list[Client]) -> None:
    client, _ = await visitor(url)
    period = SOCKETS / RATE
    while not stop.is_set():
        started = time.perf_counter()
        figures.sent += 1
        answer = await client.call("request_chat", {"urgent": True})
        error = answer.get("error") or {}
        if solve and error.get("challenge"):
            solution = await asyncio.to_thread(proof.solve, error["challenge"])
            figures.solved += 1
            answer = await client.call("request_chat", {"urgent": True, "proof": solution})
        figures.answered += 1
        figures.latencies.append(time.perf_counter() - started)
        if answer.get("ok"):
            figures.admitted += 1
            held.append(client)  # keeps its place, connected; the next join needs a new session
            client, _ = await visitor(url)
        else:
            figures.refused += 1
        await asyncio.sleep(max(0.0, period - (time.perf_counter() - started)))


async def youth_is_taken(url: str, anna: Counselor) -> dict[str, Any]:
    """The youth joins (solving when asked, as the widget does); the counselor takes next and
    sheds every chat that is not the youth's until the youth's comes."""
    youth, _ = await visitor(url)
    started = time.perf_counter()
    answer = await youth.call("request_chat", {"topic": "School"})
    error = answer.get("error") or {}
    if error.get("challenge"):
        await asyncio.sleep(error.get("retry_after_ms", 0) / 1000)
        solution = await asyncio.to_thread(proof.solve, error["challenge"])
        answer = await youth.call("request_chat", {"topic": "School", "proof": solution})
    joined_s = time.perf_counter() - started
    if not answer.get("ok"):
        await youth.close()
        return {"joined": False, "answer": answer.get("error", {}).get("code"),
                "after_s": round(joined_s, 2)}
    sheds = 0
    while True:
        taken = await anna.call("take", {})
        if not taken.get("ok"):
            await asyncio.sleep(0.05)
            continue
        cid = taken["conversation"]["id"]
        if cid == answer["conversation_id"]:
            break
        shed = await anna.call("shed", {"conversation_id": cid, "kind": "prank"})
        if not shed.get("ok"):  # a server without `shed` (the "before" figures): end, skip
            await anna.call("end_chat", {"conversation_id": cid})
            wrap = await anna.client.wait_for("wrap_up")
            await anna.call("wrap_up", {"id": wrap["id"], "skip": True})
        sheds += 1
    taken_s = time.perf_counter() - started
    await youth.close()
    return {"joined": True, "position": answer["position"], "joined_s": round(joined_s, 2),
            "taken_s": round(taken_s, 2), "fakes_shed_first": sheds}


async def flood(start_server: ServerFactory, *, solve: bool) -> None:
    server = await start_server(**production_defaults())
    url = str(server.make_url("")).rstrip("/")
    anna = await make_counselor(server.app, url, "anna", max_chats=1)
    await anna.call("set_duty", {"on": True})
    figures, stop, held = Figures(), asyncio.Event(), []
    began = time.perf_counter()
    tasks = [asyncio.create_task(script(url, figures, stop, solve, held))
             for _ in range(SOCKETS)]
    await asyncio.sleep(YOUTH_AFTER_S)
    youth = await youth_is_taken(url, anna)
    await asyncio.sleep(max(0.0, FLOOD_S - (time.perf_counter() - began)))
    stop.set()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    lat = sorted(figures.latencies)
    p99 = lat[int(0.99 * len(lat)) - 1] if lat else 0.0
    name = "scripts that solve the proof" if solve else "scripts that skip the proof"
    print(f"\nqueue flood, {name}: {figures.sent / elapsed:.0f} join attempts/s sent, "
          f"{figures.answered / elapsed:.0f}/s answered over {elapsed:.1f} s "
          f"(median answer {statistics.median(lat) * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms); "
          f"fake entries admitted {figures.admitted} in {elapsed:.0f} s, "
          f"refused {figures.refused}, "
          f"challenges solved {figures.solved}; youth: {youth}")
    for client in held:
        await client.close()
    await anna.close()


async def test_bench_queue_flood_from_scripts_that_skip_the_proof(
    start_server: ServerFactory,
) -> None:
    await flood(start_server, solve=False)


async def test_bench_queue_flood_from_scripts_that_solve_the_proof(
    start_server: ServerFactory,
) -> None:
    await flood(start_server, solve=True)
