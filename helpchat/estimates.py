"""Estimated waiting time. Pure: fed with recent chat durations and on-duty capacity."""

from __future__ import annotations

import math

MIN_SAMPLES = 3
# Rounded up to whole minutes: a young visitor is better served by "about 5 minutes" that
# turns out shorter than by a promise that is broken.
ROUND_TO_S = 60


def estimate_wait_s(position: int, handle_times_s: list[int], slots: int) -> int | None:
    """A conservative wait for the visitor at `position` (1-based).

    Every one of `slots` chat places frees up about once per handling time, so the visitor at
    position p waits about ceil(p / slots) handling times. The 75th percentile of recent
    durations keeps the estimate on the long side. None while there is too little data or
    nobody to take the chat.
    """
    if position < 1 or slots < 1 or len(handle_times_s) < MIN_SAMPLES:
        return None
    ordered = sorted(handle_times_s)
    p75 = ordered[min(len(ordered) - 1, math.ceil(0.75 * len(ordered)) - 1)]
    rounds = math.ceil(position / slots)
    # A chat place frees up on average halfway through a chat that is already running.
    seconds = p75 * (rounds - 0.5)
    return max(ROUND_TO_S, math.ceil(seconds / ROUND_TO_S) * ROUND_TO_S)
