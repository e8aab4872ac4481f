"""Pure limit arithmetic (no I/O): message rate buckets, transcript pages bounded by size, and
when a block ends. The store keeps the state; these functions decide."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Rate:
    """A token bucket: `burst` events at once, refilled at `per_minute` events a minute.

    Kept as one number, the theoretical arrival time (GCRA): the moment the bucket would be
    full again. An event is allowed when, after adding it, that moment lies at most `burst`
    refills ahead of now; the same decisions as counting tokens, with one value to store."""

    burst: int
    per_minute: float

    @property
    def interval_ms(self) -> float:
        return 60_000 / self.per_minute


@dataclass(frozen=True)
class Decision:
    allowed: bool
    tat_ms: int  # the state to store (unchanged when refused)
    retry_after_ms: int  # 0 when allowed


def decide(rate: Rate, tat_ms: int | None, now_ms: int) -> Decision:
    """Take one token from the bucket whose state is `tat_ms` (None: never used, full)."""
    start = max(tat_ms or now_ms, now_ms)
    new_tat = start + rate.interval_ms
    allow_at = new_tat - rate.burst * rate.interval_ms
    if allow_at > now_ms:
        return Decision(False, start, max(1, int(allow_at - now_ms + 0.999)))
    return Decision(True, int(new_tat + 0.999), 0)


# id, conversation id, sender, time, client id and counselor name around the text, at most
MESSAGE_OVERHEAD = 250


def message_size(text: str) -> int:
    """Bytes a message takes in a socket.io packet (JSON with ASCII escapes, as sent): an emoji
    is 12 bytes there, so a page is measured as sent, not as stored."""
    return len(json.dumps(text)) + MESSAGE_OVERHEAD


def fit_page(sizes: Sequence[int], max_bytes: int) -> int:
    """How many of `sizes` (nearest first) fit in `max_bytes`; always at least one, so a page
    never comes back empty while messages are left."""
    total = 0
    for count, size in enumerate(sizes):
        total += size
        if total > max_bytes and count > 0:
            return count
    return len(sizes)


def block_ends(now_ms: int, *, hours: float, ends_at: time, timezone: str) -> int:
    """When a block made now ends: after `hours`, or (hours 0) at `ends_at` local time on the
    next calendar day in the roster's time zone: a block at 23:00 on Monday ends on Tuesday at
    06:00, one at 02:00 on Tuesday ends on Wednesday at 06:00 (DST handled by the zone)."""
    if hours > 0:
        return now_ms + int(hours * 3_600_000)
    zone = ZoneInfo(timezone)
    local = datetime.fromtimestamp(now_ms / 1000, zone)
    next_day = local.date() + timedelta(days=1)
    end = datetime.combine(next_day, ends_at, tzinfo=zone)
    return int(end.timestamp() * 1000)
