"""What a young person is told about the answer time, and when a question is overdue."""

from __future__ import annotations

from helpchat import questions

HOUR_MS = 3600 * 1000


def test_only_the_promise_while_there_are_too_few_measured_answers() -> None:
    told = questions.answer_time([600] * (questions.MIN_SAMPLES - 1), promise_hours=48)
    assert told.payload() == {"promise_hours": 48, "p50_s": None, "p90_s": None}


def test_measured_median_and_p90_once_there_are_enough() -> None:
    told = questions.answer_time(list(range(1, 11)), promise_hours=48)
    assert (told.p50_s, told.p90_s) == (5, 9)


def test_percentile_nearest_rank() -> None:
    assert questions.percentile([], 0.5) is None
    assert questions.percentile([7], 0.9) == 7
    assert questions.percentile([4, 1, 3, 2], 0.5) == 2


def test_overdue_only_past_the_promise() -> None:
    assert not questions.overdue(0, 48 * HOUR_MS, 48)
    assert questions.overdue(0, 48 * HOUR_MS + 1, 48)
    assert questions.within_promise(48 * HOUR_MS, 48)
    assert not questions.within_promise(48 * HOUR_MS + 1, 48)
