"""The login back-off arithmetic: free failures, doubling waits, a ceiling."""

from __future__ import annotations

from helpchat.login_backoff import wait_s


def test_the_first_failures_are_free_then_each_doubles_the_wait_up_to_the_cap() -> None:
    waits = [wait_s(n, free=5, cap=300) for n in range(1, 17)]
    assert waits == [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]


def test_a_huge_failure_count_stays_at_the_cap() -> None:
    assert wait_s(10_000, free=5, cap=300) == 300
