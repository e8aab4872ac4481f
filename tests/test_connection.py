"""Redis URLs: plain, unix socket and Sentinel (python-socketio's format, one setting for both)."""

from __future__ import annotations

from redis.asyncio.sentinel import SentinelConnectionPool

from helpchat.store.connection import connect


async def test_sentinel_url_names_the_sentinels_db_and_service() -> None:
    client = connect("redis+sentinel://:pw@10.0.0.11:26379,10.0.0.12:26380/2/helpchat")
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "helpchat"
    assert pool.connection_kwargs["db"] == 2
    sentinels = [c.connection_pool.connection_kwargs for c in pool.sentinel_manager.sentinels]
    assert [(s["host"], s["port"]) for s in sentinels] == [("10.0.0.11", 26379),
                                                            ("10.0.0.12", 26380)]
    await client.aclose()


async def test_plain_and_unix_urls_use_a_normal_pool(redis_url: str) -> None:
    client = connect(redis_url)
    assert await client.ping()
    unix = connect("unix:///run/helpchat/redis.sock?db=1")
    assert unix.connection_pool.connection_kwargs["path"] == "/run/helpchat/redis.sock"
    await client.aclose()
