"""Refused widget sites: counted per day by origin only, bounded, summed over the last week."""

from __future__ import annotations

from aiohttp.test_utils import TestServer

from helpchat import appkeys
from helpchat.store import keys
from tests.conftest import ServerFactory
from tests.test_widget import get

DAY_MS = 24 * 3600 * 1000
NOW = 1_796_000_000_000  # a fixed instant: the store takes the clock as an argument


async def test_a_refused_site_is_counted_by_origin_only(start_server: ServerFactory) -> None:
    server: TestServer = await start_server(widget_origins="https://allowed.example")
    for origin in ("https://other.example/some/page?x=1", "https://OTHER.example",
                   "https://allowed.example", "javascript:alert(1)", "http://a:b"):
        await get(server, "/widget/", params={"origin": origin})
    store = server.app[appkeys.STORE]
    assert await store.refused.recent(server.app[appkeys.HUB].now_ms()) == [
        ("https://other.example", 2)]
    stored = await store.redis.keys(keys.PREFIX + "refused:*")
    assert len(stored) == 1 and 0 < await store.redis.ttl(stored[0]) <= keys.REFUSED_TTL


async def test_the_last_seven_days_are_summed_and_junk_is_capped(
    start_server: ServerFactory,
) -> None:
    server: TestServer = await start_server()
    refused = server.app[appkeys.STORE].refused
    await refused.count("https://a.example", NOW - 8 * DAY_MS)  # too old to show
    await refused.count("https://a.example", NOW - 6 * DAY_MS)
    await refused.count("https://a.example", NOW)
    await refused.count("https://b.example", NOW)
    assert await refused.recent(NOW) == [("https://a.example", 2), ("https://b.example", 1)]
    for n in range(keys.REFUSED_CAP + 5):
        await refused.count(f"https://junk{n}.example", NOW + DAY_MS)
    await refused.count("https://junk0.example", NOW + DAY_MS)  # a known one still counts
    tomorrow = dict(await refused.recent(NOW + DAY_MS))
    assert sum(1 for o in tomorrow if o.startswith("https://junk")) == keys.REFUSED_CAP
    assert tomorrow["https://junk0.example"] == 2
