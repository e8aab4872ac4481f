"""The embedded redis-server: its durability follows the `durability` setting."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from helpchat.config import ConfigError, load_settings
from helpchat.embedded_redis import EmbeddedRedis, free_port


@pytest.mark.parametrize(("durability", "fsync"), [("strict", "always"), ("fast", "everysec")])
def test_durability_sets_when_redis_syncs_the_append_only_file(
    tmp_path: Path, durability: str, fsync: str
) -> None:
    server = EmbeddedRedis(tmp_path, port=free_port(), durability=durability)
    url = server.start()
    try:
        with redis.Redis.from_url(url, decode_responses=True) as client:
            assert client.config_get("appendfsync") == {"appendfsync": fsync}
            assert client.config_get("appendonly") == {"appendonly": "yes"}
    finally:
        server.stop()


def test_durability_is_strict_unless_told_otherwise_and_refuses_other_words() -> None:
    assert load_settings(environ={}).durability == "strict"
    with pytest.raises(ConfigError, match="durability"):
        load_settings(environ={"HELPCHAT_DURABILITY": "sometimes"})
