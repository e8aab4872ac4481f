"""The emergency contacts every availability carries: read from Redis at every call, parsed
again only when what is stored changed, so an edit made on any process shows at once."""

from __future__ import annotations

import redis.asyncio as aioredis

from helpchat.store.connection import connect
from helpchat.store.contacts import Contacts

SEED = {"nl": [{"name": "Kindertelefoon", "phone": "0800-0432"}],
        "en": [{"name": "Childline", "phone": "0800-1111"}]}


async def test_an_edit_on_another_process_shows_at_the_next_read(redis_url: str) -> None:
    here, there = connect(redis_url), connect(redis_url)
    try:
        mine, theirs = Contacts(here, SEED), Contacts(there, SEED)
        before = await mine.list("nl")
        assert [c["name"] for c in before] == ["Kindertelefoon"]
        assert await mine.list("nl") is before  # unchanged: not parsed again
        assert [c["name"] for c in await mine.list("en")] == ["Childline"]
        assert await mine.list("nl") is before  # another language read meanwhile
        await theirs.update("nl", lambda items: (
            [*items, {"name": "113 Zelfmoordpreventie", "phone": "113"}], None))
        after = await mine.list("nl")
        assert [c["name"] for c in after] == ["Kindertelefoon", "113 Zelfmoordpreventie"]
        assert after[1] == {"name": "113 Zelfmoordpreventie", "phone": "113", "url": None,
                            "text": None, "hours": None, "description": None, "urgent": False,
                            "open": None}
        assert "id" not in after[0]  # the protocol's shape: the admins' ids stay inside
    finally:
        await here.aclose()
        await there.aclose()


async def test_an_unknown_language_gets_the_dutch_contacts(redis_url: str,
                                                           redis_client: aioredis.Redis) -> None:
    client = connect(redis_url)
    try:
        contacts = Contacts(client, SEED)
        assert [c["name"] for c in await contacts.list("de")] == ["Kindertelefoon"]
        assert await redis_client.hkeys("hc:contacts") == ["nl"]  # nothing stored for "de"
    finally:
        await client.aclose()
