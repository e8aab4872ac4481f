"""Pure limit arithmetic: token buckets, pages bounded by size, when a block ends."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from helpchat.limits import Rate, block_ends, decide, fit_page, message_size

AMS = ZoneInfo("Europe/Amsterdam")


def _run(rate: Rate, times_ms: list[int]) -> list[bool]:
    tat: int | None = None
    allowed = []
    for now in times_ms:
        decision = decide(rate, tat, now)
        tat = decision.tat_ms
        allowed.append(decision.allowed)
    return allowed


def test_a_full_bucket_allows_the_burst_at_once_then_refuses() -> None:
    assert _run(Rate(burst=5, per_minute=60), [0] * 7) == [True] * 5 + [False] * 2


def test_a_refusal_says_when_the_next_token_is_there() -> None:
    rate = Rate(burst=2, per_minute=60)  # one token a second
    tat = decide(rate, decide(rate, None, 0).tat_ms, 0).tat_ms
    refused = decide(rate, tat, 250)
    assert not refused.allowed and refused.retry_after_ms == 750
    assert decide(rate, refused.tat_ms, 250 + refused.retry_after_ms).allowed


def test_a_person_typing_fast_never_meets_the_visitor_default() -> None:
    # Ten quick lines in twenty seconds, a pause, then one message every two seconds.
    times = [n * 2000 for n in range(10)] + [60_000 + n * 2000 for n in range(60)]
    assert all(_run(Rate(burst=10, per_minute=30), times))


def test_a_script_gets_the_burst_and_then_the_refill_rate_only() -> None:
    times = list(range(0, 60_000, 10))  # 100 messages a second for a minute
    assert sum(_run(Rate(burst=10, per_minute=30), times)) in (39, 40)


def test_refusals_do_not_push_the_next_token_further_away() -> None:
    rate = Rate(burst=1, per_minute=60)
    tat = decide(rate, None, 0).tat_ms
    for now in range(1, 1000, 50):
        assert not decide(rate, tat, now).allowed
    assert decide(rate, tat, 1000).allowed


def test_message_size_counts_text_as_sent_escaped() -> None:
    assert message_size("\U0001f600") - message_size("") == 12  # a surrogate pair, escaped
    assert message_size("ab") - message_size("") == 2


def test_a_page_stops_before_the_size_limit_but_never_comes_back_empty() -> None:
    assert fit_page([100, 100, 100], 250) == 2
    assert fit_page([100, 100, 100], 1000) == 3
    assert fit_page([5000, 10], 100) == 1
    assert fit_page([], 100) == 0


def _ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=AMS).timestamp() * 1000)


def test_a_block_lasts_until_six_the_next_morning_in_the_roster_zone() -> None:
    six = time(6, 0)
    evening = block_ends(_ms(2025, 3, 10, 23, 0), hours=0, ends_at=six, timezone="Europe/Amsterdam")
    assert evening == _ms(2025, 3, 11, 6, 0)
    night = block_ends(_ms(2025, 3, 11, 2, 0), hours=0, ends_at=six, timezone="Europe/Amsterdam")
    assert night == _ms(2025, 3, 12, 6, 0)


def test_a_block_over_the_clock_change_still_ends_at_six_local() -> None:
    start = _ms(2025, 3, 29, 22, 0)  # the night summer time starts
    end = block_ends(start, hours=0, ends_at=time(6, 0), timezone="Europe/Amsterdam")
    assert end == _ms(2025, 3, 30, 6, 0) and end - start == 7 * 3_600_000


def test_a_block_with_hours_set_lasts_exactly_that_long() -> None:
    assert block_ends(1000, hours=2, ends_at=time(6, 0), timezone="UTC") == 1000 + 7_200_000
