"""Settings that admins change at run time, kept in Redis and applied by every process.

hc:settings holds one JSON value per overridden setting; hc:settings:version is bumped with
every save. Each process polls the version (one GET a second) and, when it moved, rebuilds its
LiveSettings from the start-up settings plus the overrides: no restart, no pub/sub to miss.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Mapping
from typing import Any

from redis.exceptions import RedisError

from helpchat.config import ConfigError, LiveSettings, Settings
from helpchat.store import keys
from helpchat.store.connection import Redis

log = logging.getLogger(__name__)

EDITABLE = (
    "widget_origins", "widget_title", "widget_color", "quick_exit_url", "topics",
    "widget_title_en", "topics_en", "widget_intro", "widget_intro_en",
    "queue_cap", "last_intake_minutes", "transcript_retention_hours",
    "visitor_grace_seconds", "counselor_grace_seconds", "allow_unscheduled_duty",
    "roster_approval",
)
POLL_INTERVAL_S = 1.0


class SettingsStore:
    def __init__(self, client: Redis) -> None:
        self._redis = client

    async def overrides(self) -> dict[str, Any]:
        raw = await self._redis.hgetall(keys.SETTINGS)
        return {name: json.loads(value) for name, value in raw.items() if name in EDITABLE}

    async def version(self) -> int:
        return int(await self._redis.get(keys.SETTINGS_VERSION) or 0)

    async def save(self, values: Mapping[str, Any]) -> int:
        """Store the given settings (JSON-able values) and bump the version; returns it."""
        unknown = set(values) - set(EDITABLE)
        if unknown:
            raise ValueError(f"not editable at run time: {', '.join(sorted(unknown))}")
        encoded = {name: json.dumps(_plain(value)) for name, value in values.items()}
        async with self._redis.pipeline(transaction=True) as pipe:
            if encoded:
                pipe.hset(keys.SETTINGS, mapping=encoded)
            pipe.incr(keys.SETTINGS_VERSION)
            result = await pipe.execute()
        return int(result[-1])


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def merged(base: Settings, overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Every editable setting: the override when there is one, else the start-up value."""
    values: dict[str, Any] = {}
    for name in EDITABLE:
        value = overrides.get(name, getattr(base, name))
        values[name] = tuple(value) if isinstance(value, list) else value
    return values


async def apply_overrides(store: SettingsStore, base: Settings, live: LiveSettings) -> Settings:
    """Rebuild the live settings from `base` and the stored overrides."""
    values = merged(base, await store.overrides())
    try:
        return live.update(**values)
    except (ConfigError, TypeError) as exc:
        # Written by an older version or by hand: keep running on what we have.
        log.error("stored settings refused: %s", exc)
        return live.current


class SettingsWatcher:
    """Polls the version and applies the overrides when it moved (one per process)."""

    def __init__(self, store: SettingsStore, base: Settings, live: LiveSettings) -> None:
        self.store = store
        self.base = base
        self.live = live
        self.seen = -1

    async def refresh(self) -> bool:
        version = await self.store.version()
        if version == self.seen:
            return False
        await apply_overrides(self.store, self.base, self.live)
        self.seen = version
        return True

    async def run(self, stop: asyncio.Event, interval_s: float = POLL_INTERVAL_S) -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)
            if stop.is_set():
                return
            try:
                await self.refresh()
            except Exception:  # Redis hiccups must not end the watcher
                log.exception("settings refresh failed")


@contextlib.asynccontextmanager
async def watching(watcher: SettingsWatcher) -> AsyncIterator[SettingsWatcher]:
    """Apply the stored overrides now, then keep polling until the block ends."""
    try:
        await watcher.refresh()
    except (RedisError, OSError):
        # Serve anyway (health then reports "redis": "down"); the poll applies them later.
        log.warning("stored settings not loaded: Redis unreachable; retrying every second")
    stop = asyncio.Event()
    task = asyncio.create_task(watcher.run(stop))
    try:
        yield watcher
    finally:
        # A stop flag as well as cancel(): a cancellation swallowed inside the Redis client
        # must not keep shutdown waiting for ever.
        stop.set()
        task.cancel()
        await asyncio.wait({task}, timeout=5)

