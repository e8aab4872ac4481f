"""The insights arithmetic: buckets without a cap, percentiles to one bucket, Erlang C against a
published worked example, small-cell suppression and the funnel identity."""

from __future__ import annotations

import math
import random
from datetime import date
from fractions import Fraction
from math import factorial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpchat import insights


def test_bucket_edges_repeat_the_same_steps_in_every_power_of_ten() -> None:
    edges = [insights.bucket_edge(i) for i in range(18)]
    assert edges == [0, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, 200, 300, 400, 500, 600, 800,
                     1000]


def test_buckets_have_no_cap_so_a_wait_of_a_day_keeps_its_own_bucket() -> None:
    hour, day = insights.bucket_of(3600), insights.bucket_of(86_400)
    assert hour < day
    assert insights.bucket_edge(day) <= 86_400 < insights.bucket_edge(day + 1)


@given(st.floats(min_value=0, max_value=10**9, allow_nan=False))
def test_every_value_lies_inside_its_bucket(seconds: float) -> None:
    index = insights.bucket_of(seconds)
    assert insights.bucket_edge(index) <= seconds < insights.bucket_edge(index + 1)


@given(st.lists(st.integers(min_value=0, max_value=100_000), min_size=1, max_size=200),
       st.sampled_from([0.5, 0.9]))
def test_percentile_bucket_holds_the_exact_percentile(values: list[int], q: float) -> None:
    histogram: dict[int, int] = {}
    for value in values:
        histogram[insights.bucket_of(value)] = histogram.get(insights.bucket_of(value), 0) + 1
    found = insights.percentile(histogram, q)
    assert found is not None
    exact = sorted(values)[max(1, math.ceil(q * len(values) - 1e-9)) - 1]
    assert found.lo <= exact < found.hi


def test_p50_of_four_waits_is_the_second_smallest() -> None:
    histogram = {insights.bucket_of(s): 1 for s in (5, 12, 70, 400)}
    assert insights.percentile(histogram, 0.5) == insights.Range(10, 15)
    assert insights.percentile(histogram, 0.9) == insights.Range(400, 500)
    assert insights.percentile({}, 0.5) is None


def test_shares_within_one_and_five_minutes_are_exact() -> None:
    waits = [5, 30, 59, 60, 200, 299, 300, 4000]
    histogram: dict[int, int] = {}
    for wait in waits:
        histogram[insights.bucket_of(wait)] = histogram.get(insights.bucket_of(wait), 0) + 1
    assert insights.share_below(histogram, 60) == 3 / 8
    assert insights.share_below(histogram, 300) == 6 / 8
    with pytest.raises(ValueError):
        insights.share_below(histogram, 70)


def _erlang_c_by_factorials(traffic: int, servers: int) -> Fraction:
    """The textbook formula with exact fractions, to check the recursion against."""
    a = Fraction(traffic)
    top = a ** servers / factorial(servers) * Fraction(servers, servers - traffic)
    return top / (sum(a ** k / factorial(k) for k in range(servers)) + top)


def test_erlang_c_matches_the_call_centre_helper_worked_example() -> None:
    """Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example": 100 calls
    in 30 minutes, 180 s handling time, 80 % within 20 s. Traffic is 10 Erlangs; with 11 agents a
    call waits with probability 68.21 % and 39 % are answered in time; 14 agents are needed,
    reaching 88.84 % (13 give 79.56 %, just short)."""
    assert insights.erlang_c(10, 11) == pytest.approx(0.6821, abs=5e-5)
    assert insights.service_level(10, 11, 180, 20) == pytest.approx(0.3896, abs=5e-4)
    assert insights.service_level(10, 13, 180, 20) == pytest.approx(0.7956, abs=5e-5)
    assert insights.service_level(10, 14, 180, 20) == pytest.approx(0.8884, abs=5e-5)
    assert insights.servers_needed(200, 180, target_s=20, goal=0.8) == 14


def test_erlang_c_recursion_equals_the_factorial_formula() -> None:
    for traffic, servers in ((1, 2), (10, 11), (48, 55), (90, 100)):
        exact = float(_erlang_c_by_factorials(traffic, servers))
        assert insights.erlang_c(traffic, servers) == pytest.approx(exact, rel=1e-12)


def test_erlang_c_is_certain_waiting_when_servers_cannot_keep_up() -> None:
    assert insights.erlang_c(5, 5) == 1.0
    assert insights.service_level(5, 4, 600, 60) == 0.0
    assert insights.erlang_c(0, 3) == 0.0


def test_counselors_needed_divides_chat_places_by_the_concurrency() -> None:
    # 6 chats an hour of 20 minutes: 2 Erlangs; 80 % within 60 s needs 4 chat places.
    assert insights.servers_needed(6, 1200) == 4
    assert insights.counselors_needed(6, 1200, concurrency=1.5) == 3
    assert insights.counselors_needed(6, 1200, concurrency=1.0) == 4
    assert insights.counselors_needed(0, 1200, concurrency=1.5) == 0


def test_small_cells_are_published_as_below_five_and_merged_in_exports() -> None:
    assert [insights.suppressed(n) for n in (0, 1, 4, 5, 12)] == [0, None, None, 5, 12]
    merged = insights.merge_small({"home": 12, "school": 3, "love": 1, "body": 0})
    assert merged == {"home": 12, "body": 0, insights.MERGED: 4}
    assert sum(merged.values()) == 16


def test_check_in_counts_are_summed_over_months_and_small_cells_hidden() -> None:
    months = {"2026-10": {"answered": 6, "feeling:heavy": 5, "stays:yes": 2, "call_back": 1},
              "2026-11": {"answered": 2, "feeling:heavy": 1, "feeling:good": 1}}
    page = insights.check_in_summary(months, merged=False)
    assert page == {"months": ["2026-10", "2026-11"], "answered": 8, "call_back": None,
                    "feeling": {"good": None, "okay": 0, "heavy": 6},
                    "stays": {"no": 0, "a_little": 0, "yes": None}}
    export = insights.check_in_summary(months, merged=True)
    assert export["feeling"] == {"okay": 0, "heavy": 6, insights.MERGED: 1}
    assert export["call_back"] == 1
    assert insights.check_in_summary({}, merged=False)["answered"] == 0


def _day(**hours: dict[str, int]) -> dict[str, int]:
    return {f"{int(h[1:]):02d}:{name}": n for h, fields in hours.items()
            for name, n in fields.items()}


def test_week_grid_sums_each_hour_of_the_week_over_the_weeks() -> None:
    monday, next_monday = date(2026, 11, 2), date(2026, 11, 9)
    days = {monday: _day(h14={"offered": 3, "answered": 2, "turned_away": 1}),
            next_monday: _day(h14={"offered": 2, "abandoned_after_estimate": 2})}
    grid = insights.week_grid(days)
    cell = grid[0][14]
    assert cell["offered"] == 5 and cell.abandoned == 2 and cell.unanswered == 3
    assert cell.hours == 2
    assert all(c.balanced() for row in grid for c in row)
    assert insights.by_week(days) == {"2026-W45": [monday], "2026-W46": [next_monday]}


def test_coverage_names_the_hours_where_the_roster_falls_shortest() -> None:
    monday = date(2026, 11, 2)
    busy = _day(h20={"offered": 12, "answered": 6, "turned_away": 6, "samples": 60,
                     "sched_sum": 60, "duty_sum": 60},
                h10={"offered": 1, "answered": 1, "samples": 60, "sched_sum": 120,
                     "duty_sum": 120})
    cells = insights.coverage(insights.week_grid({monday: busy}), handle_s=1200,
                              concurrency=1.5)
    worst = insights.worst_covered(cells)
    assert (worst[0].weekday, worst[0].hour) == (0, 20)
    assert worst[0].scheduled == 1.0 and worst[0].needed > 1
    assert all((c.weekday, c.hour) != (0, 10) for c in worst)  # 2 scheduled, 1 needed


def test_an_hour_whose_counselors_did_not_show_up_counts_as_short_even_if_rostered() -> None:
    monday = date(2026, 11, 2)
    absent = _day(h19={"offered": 6, "answered": 4, "turned_away": 2, "samples": 60,
                       "sched_sum": 180, "duty_sum": 60})
    cell = next(c for c in insights.coverage(insights.week_grid({monday: absent}), 1200, 1.5)
                if (c.weekday, c.hour) == (0, 19))
    assert (cell.scheduled, cell.on_duty, cell.needed) == (3.0, 1.0, 3)
    assert cell.shortfall == 2.0


def test_distribution_reports_median_p90_and_shares() -> None:
    rng = random.Random(7)
    histogram: dict[int, int] = {}
    for _ in range(1000):
        b = insights.bucket_of(rng.expovariate(1 / 90))
        histogram[b] = histogram.get(b, 0) + 1
    found = insights.distribution(histogram)
    assert found.count == 1000
    assert found.p50 and found.p90 and found.p50.hi <= found.p90.hi
    assert found.within_60s is not None and 0.4 < found.within_60s < 0.6
