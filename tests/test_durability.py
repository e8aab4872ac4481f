"""What an acknowledged message waits for: a replica's confirmation under Sentinel and strict
durability, nothing else (a plain Redis is made durable by its own appendfsync). What happens
across a real failover is in tests/test_faults.py."""

from __future__ import annotations

import pytest

from helpchat.config import load_settings
from helpchat.store.connection import connect
from helpchat.store.durability import ReplicaConfirm, replica_confirm

SENTINEL = "redis+sentinel://127.0.0.1:26379,127.0.0.1:26380/0/mymaster"


def test_strict_durability_under_sentinel_waits_for_a_replica() -> None:
    settings = load_settings(environ={}, redis_url=SENTINEL)
    assert isinstance(replica_confirm(settings, connect(SENTINEL)), ReplicaConfirm)


@pytest.mark.parametrize(("url", "durability"), [(SENTINEL, "fast"),
                                                 ("redis://127.0.0.1:6379/0", "strict")])
def test_fast_durability_or_a_plain_redis_waits_for_no_replica(url: str, durability: str) -> None:
    settings = load_settings(environ={"HELPCHAT_DURABILITY": durability}, redis_url=url)
    assert replica_confirm(settings, connect(url)) is None
