"""Redis outages, told once: one warning when Redis goes away and one when it is back, per
process, however many requests fail in between (a restart must not write a traceback per
event)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger("helpchat.redis")
# What a client is told to wait before resending after `internal` (a restart takes about this).
RETRY_AFTER_MS = 1000


class RedisWatch:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.down_since: float | None = None

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def failed(self, error: BaseException) -> None:
        if self.down_since is None:
            self.down_since = self.clock()
            log.warning("redis unreachable (%s): requests are answered 'internal' with a retry "
                        "hint until it is back", type(error).__name__)

    def succeeded(self) -> None:
        if self.down_since is not None:
            log.warning("redis is back after %.1f s", self.clock() - self.down_since)
            self.down_since = None
