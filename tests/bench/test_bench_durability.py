"""What `durability = "strict"` costs per acknowledged message against "fast", in one run:
the same chat on an embedded Redis with appendfsync always, then with everysec, alternating
three times (median of the three per mode). Prints the figures; asserts only that the work
was done."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from helpchat.app import create_app
from helpchat.embedded_redis import EmbeddedRedis, free_port
from tests.conftest import make_settings
from tests.support import chat_with, make_counselor

pytestmark = pytest.mark.bench
MESSAGES = 300


async def _acks(tmp_path: Path, durability: str) -> list[float]:
    """Seconds from send to ack for MESSAGES visitor messages in a row."""
    redis_server = EmbeddedRedis(tmp_path, port=free_port(), durability=durability)
    url = redis_server.start()
    app = create_app(make_settings(url, tmp_path, durability=durability,
                                   visitor_message_burst=MESSAGES + 10))
    server = TestServer(app, host="127.0.0.1", port=free_port())
    await server.start_server()
    try:
        base = str(server.make_url("")).rstrip("/")
        anna = await make_counselor(app, base, "anna")
        youth, _, _ = await chat_with(base, anna)
        samples = []
        for n in range(MESSAGES):
            started = time.perf_counter()
            answer = await youth.call("message", {"client_id": f"d{n}", "text": "hoi " * 20})
            samples.append(time.perf_counter() - started)
            assert answer["ok"], answer
        await youth.close()
        await anna.close()
        return samples
    finally:
        await server.close()
        redis_server.stop()


async def test_bench_strict_durability_against_fast(tmp_path: Path) -> None:
    medians: dict[str, list[float]] = {"strict": [], "fast": []}
    p99s: dict[str, list[float]] = {"strict": [], "fast": []}
    for rep in range(3):
        for mode in ("fast", "strict"):
            samples = sorted(await _acks(tmp_path / f"{mode}{rep}", mode))
            medians[mode].append(statistics.median(samples))
            p99s[mode].append(samples[int(0.99 * len(samples)) - 1])
    fast, strict = statistics.median(medians["fast"]), statistics.median(medians["strict"])
    print(f"\ndurability, {MESSAGES} visitor messages acked in a row, median of 3 runs: "
          f"fast {fast * 1000:.2f} ms (p99 {statistics.median(p99s['fast']) * 1000:.2f} ms), "
          f"strict {strict * 1000:.2f} ms (p99 {statistics.median(p99s['strict']) * 1000:.2f} "
          f"ms); strict costs {(strict - fast) * 1e6:.0f} us a message ({strict / fast:.2f}x)")
    assert fast > 0 and strict > 0
