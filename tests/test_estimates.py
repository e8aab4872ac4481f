"""Waiting-time estimates: conservative, and absent without data."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from helpchat.estimates import estimate_wait_s


def test_no_estimate_without_enough_data_or_without_capacity() -> None:
    assert estimate_wait_s(1, [], 2) is None
    assert estimate_wait_s(1, [600, 600], 2) is None
    assert estimate_wait_s(1, [600, 600, 600], 0) is None


def test_first_in_line_waits_about_half_a_chat_rounded_up_to_minutes() -> None:
    assert estimate_wait_s(1, [600, 600, 600], 1) == 300


def test_estimate_uses_the_long_end_of_recent_chats() -> None:
    short_and_long = [60, 60, 1200, 1200]
    assert estimate_wait_s(1, short_and_long, 1) == 600  # half of p75 (1200 s)


def test_more_capacity_means_a_shorter_wait() -> None:
    times = [900] * 10
    assert estimate_wait_s(4, times, 4) < estimate_wait_s(4, times, 1)  # type: ignore[operator]


@given(st.integers(1, 50), st.lists(st.integers(0, 7200), min_size=3, max_size=50),
       st.integers(1, 30))
def test_estimate_is_whole_minutes_and_grows_with_position(
    position: int, times: list[int], slots: int
) -> None:
    wait = estimate_wait_s(position, times, slots)
    later = estimate_wait_s(position + slots, times, slots)
    assert wait is not None and later is not None
    assert wait % 60 == 0 and wait >= 60
    assert later >= wait
