"""argon2 verification for every account state, and the per-process ceiling on password work."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from helpchat.errors import HelpchatError
from helpchat.passwords import _DUMMY_PASSWORD, PasswordWork, hash_password, verify_password


async def test_only_real_argon2_hashes_ever_match() -> None:
    good = await hash_password("a fine long passphrase")
    assert await verify_password(good, "a fine long passphrase")
    for no_hash in (None, "", "!pending", "$2b$12$notargon"):
        assert await verify_password(no_hash, _DUMMY_PASSWORD) is False


async def test_password_work_runs_at_most_the_ceiling_at_once_and_refuses_past_the_queue() -> None:
    work = PasswordWork(concurrent=2, waiting=3)
    running = 0
    most = 0
    lock = threading.Lock()
    release = threading.Event()

    def busy() -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(5)
        with lock:
            running -= 1
        return True

    tasks = [asyncio.create_task(work._run(busy)) for _ in range(5)]  # 2 running, 3 waiting
    deadline = time.monotonic() + 5
    while running < 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    with pytest.raises(HelpchatError) as refused:  # the sixth finds the queue full
        await work._run(busy)
    assert refused.value.code == "rate_limited"
    assert refused.value.extra["retry_after_ms"] == 1000
    release.set()
    assert await asyncio.gather(*tasks) == [True] * 5
    assert most == 2
