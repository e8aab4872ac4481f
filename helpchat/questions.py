"""Asynchronous questions: what a young person is told about the answer time, and which
questions are past the promise. Pure arithmetic, no I/O (the figures come from store.threads).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Fewer measured answers than this and the widget says only the promise: two quick answers
# on a quiet Sunday must not turn into "usually within an hour".
MIN_SAMPLES = 5
HOUR_S = 3600


def percentile(values: list[int], fraction: float) -> int | None:
    """Nearest-rank percentile (fraction in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


@dataclass(frozen=True)
class AnswerTime:
    promise_hours: int
    p50_s: int | None  # measured, None while there are too few answers
    p90_s: int | None

    def payload(self) -> dict[str, int | None]:
        return {"promise_hours": self.promise_hours, "p50_s": self.p50_s, "p90_s": self.p90_s}


def answer_time(recent_answer_s: list[int], promise_hours: int) -> AnswerTime:
    """What the widget says: the promise, and the measured times once there are enough.
    The p90 is what "most questions" means; shown rounded up to hours by the widget."""
    if len(recent_answer_s) < MIN_SAMPLES:
        return AnswerTime(promise_hours, None, None)
    return AnswerTime(promise_hours, percentile(recent_answer_s, 0.5),
                      percentile(recent_answer_s, 0.9))


def overdue(waiting_since_ms: int, now_ms: int, promise_hours: int) -> bool:
    """Unanswered for longer than the organization promises."""
    return now_ms - waiting_since_ms > promise_hours * HOUR_S * 1000


def within_promise(waited_ms: int, promise_hours: int) -> bool:
    return waited_ms <= promise_hours * HOUR_S * 1000
