"""Read-modify-write of one JSON value under WATCH: two admins saving at once never lose an edit."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from redis.exceptions import WatchError

from helpchat.store.connection import Redis

T = TypeVar("T")
RETRIES = 20


async def update_json(client: Redis, key: str, field: str | None,
                      change: Callable[[Any], tuple[Any, T]]) -> T:
    """Apply `change(current_json_or_None) -> (new_json, result)` atomically to a string key
    (field None) or a hash field; retried when someone else wrote in between. `change` may
    raise to abort without writing."""
    for _ in range(RETRIES):
        async with client.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(key)
                raw = await (pipe.get(key) if field is None else pipe.hget(key, field))
                new, result = change(json.loads(raw) if raw else None)
                encoded = json.dumps(new, ensure_ascii=False, separators=(",", ":"))
                pipe.multi()
                if field is None:
                    pipe.set(key, encoded)
                else:
                    pipe.hset(key, field, encoded)
                await pipe.execute()
                return result
            except WatchError:
                continue
    raise RuntimeError(f"update of {key} kept conflicting")
