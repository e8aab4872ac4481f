import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpchat.roster import (
    ClosedDay,
    ExtraShift,
    OpeningHours,
    Roster,
    Shift,
    accepts_new_chats,
    copy_week,
    coverage_gaps,
    double_booked,
    is_open,
    next_open_at,
    occurrences,
    opening_hours,
    parse_roster,
    roster_to_dict,
    scheduled_at,
    validate_shift_times,
)

AMS = ZoneInfo("Europe/Amsterdam")
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)
# Reference weeks: 2025-06-09 is a Monday; DST starts 2025-03-30 and ends 2025-10-26.
SPRING_SUNDAY = date(2025, 3, 30)
AUTUMN_SUNDAY = date(2025, 10, 26)


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    """An unambiguous Amsterdam wall time (tests at DST transitions use utc())."""
    return datetime(y, m, d, hh, mm, tzinfo=AMS)


def utc(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC)


def shift(ident: str, weekday: int, start: str, end: str, *who: str, label: str = "") -> Shift:
    begin, finish = validate_shift_times(start, end)
    return Shift(ident, (weekday,), begin, finish, who, label)


def weekdays(start: str, end: str, days: range = range(MON, SAT)) -> tuple[Shift, ...]:
    return tuple(shift(f"d{day}", day, start, end) for day in days)


def hours(roster: Roster, start: datetime, end: datetime) -> list[float]:
    return [o.duration / timedelta(hours=1) for o in occurrences(roster, start, end)]


# --- DST ---------------------------------------------------------------------------


def test_spring_forward_shift_lasts_two_real_hours() -> None:
    roster = Roster(shifts=(shift("night", SUN, "01:00", "04:00"),))
    found = occurrences(roster, local(2025, 3, 29, 12), local(2025, 3, 30, 12))
    assert [(o.start.hour, o.end.hour) for o in found] == [(1, 4)]
    assert hours(roster, local(2025, 3, 29, 12), local(2025, 3, 30, 12)) == [2.0]


def test_spring_forward_shift_is_open_across_the_gap() -> None:
    roster = Roster(shifts=(shift("night", SUN, "01:00", "04:00"),))
    assert not is_open(roster, utc(2025, 3, 29, 23, 59))  # 00:59 CET
    assert is_open(roster, utc(2025, 3, 30, 0, 59))  # 01:59 CET, just before the jump
    assert is_open(roster, utc(2025, 3, 30, 1, 0))  # 03:00 CEST
    assert is_open(roster, utc(2025, 3, 30, 1, 59))  # 03:59 CEST
    assert not is_open(roster, utc(2025, 3, 30, 2, 0))  # 04:00 CEST


def test_shift_starting_inside_the_spring_gap_starts_when_the_gap_ends() -> None:
    roster = Roster(shifts=(shift("late", SUN, "02:30", "05:00"),))
    (occ,) = occurrences(roster, local(2025, 3, 30, 0), local(2025, 3, 30, 12))
    assert occ.start == utc(2025, 3, 30, 1, 0)  # 03:00 CEST, the first valid instant
    assert occ.duration == timedelta(hours=2)


def test_shift_entirely_inside_the_spring_gap_never_happens() -> None:
    roster = Roster(shifts=(shift("ghost", SUN, "02:00", "02:45"),))
    assert occurrences(roster, local(2025, 3, 29, 0), local(2025, 3, 31, 0)) == []


def test_autumn_shift_lasts_five_real_hours() -> None:
    roster = Roster(shifts=(shift("night", SUN, "00:00", "04:00"),))
    found = occurrences(roster, local(2025, 10, 25, 12), local(2025, 10, 26, 12))
    assert [(o.start, o.end) for o in found] == [(utc(2025, 10, 25, 22), utc(2025, 10, 26, 3))]
    assert hours(roster, local(2025, 10, 25, 12), local(2025, 10, 26, 12)) == [5.0]


def test_autumn_shift_is_open_during_both_repeated_hours() -> None:
    roster = Roster(shifts=(shift("night", SUN, "00:00", "04:00"),))
    assert not is_open(roster, utc(2025, 10, 25, 21, 59))  # 23:59 CEST
    assert is_open(roster, utc(2025, 10, 26, 0, 30))  # first 02:30 (CEST)
    assert is_open(roster, utc(2025, 10, 26, 1, 30))  # second 02:30 (CET)
    assert is_open(roster, utc(2025, 10, 26, 2, 59))  # 03:59 CET
    assert not is_open(roster, utc(2025, 10, 26, 3, 0))  # 04:00 CET


def test_ambiguous_end_time_means_its_first_occurrence() -> None:
    roster = Roster(shifts=(shift("early", SUN, "01:00", "02:30"),))
    (occ,) = occurrences(roster, local(2025, 10, 26, 0), local(2025, 10, 26, 12))
    # An ambiguous local time never equals a UTC datetime (PEP 495), so compare in UTC.
    assert occ.end.astimezone(UTC) == utc(2025, 10, 26, 0, 30)  # 02:30 CEST
    assert occ.duration == timedelta(hours=1, minutes=30)


# --- overnight shifts and closed days ----------------------------------------------


def test_overnight_shift_is_open_after_midnight_and_closes_at_its_end() -> None:
    roster = Roster(shifts=(shift("late", FRI, "22:00", "02:00"),))
    assert not is_open(roster, local(2025, 6, 13, 21, 59))
    assert is_open(roster, local(2025, 6, 13, 22, 0))
    assert is_open(roster, local(2025, 6, 14, 1, 0))  # Saturday
    assert not is_open(roster, local(2025, 6, 14, 2, 0))
    assert not is_open(roster, local(2025, 6, 14, 2, 30))


def test_occurrences_include_a_run_from_the_day_before_and_are_sorted() -> None:
    roster = Roster(
        shifts=(shift("day", SAT, "10:00", "12:00"), shift("late", FRI, "22:00", "02:00")),
        extra_shifts=(ExtraShift("x", date(2025, 6, 14), time(9), time(11)),),
    )
    found = occurrences(roster, local(2025, 6, 14, 0), local(2025, 6, 15, 0))
    assert [o.shift_id for o in found] == ["late", "x", "day"]
    assert found[0].start == local(2025, 6, 13, 22)
    assert all(o.start.tzinfo is AMS for o in found)


def test_closed_day_suppresses_recurring_shifts_on_that_date_only() -> None:
    christmas = ClosedDay(date(2025, 12, 25), "Christmas")
    roster = Roster(shifts=weekdays("09:00", "17:00"), closed_days=(christmas,))
    found = occurrences(roster, local(2025, 12, 22, 0), local(2025, 12, 29, 0))
    assert [o.start.day for o in found] == [22, 23, 24, 26]
    assert is_open(roster, local(2025, 12, 24, 10))
    assert not is_open(roster, local(2025, 12, 25, 10))
    assert is_open(roster, local(2026, 1, 1, 10))  # the following Thursday


def test_overnight_shift_from_the_day_before_still_runs_into_a_closed_day() -> None:
    roster = Roster(
        shifts=(shift("late", WED, "22:00", "02:00"),),
        closed_days=(ClosedDay(date(2025, 12, 25)),),
    )
    assert is_open(roster, local(2025, 12, 25, 1, 0))
    assert not is_open(roster, local(2025, 12, 25, 22, 30))


def test_extra_shift_runs_on_a_closed_day() -> None:
    holiday = date(2025, 12, 25)
    roster = Roster(
        shifts=weekdays("09:00", "17:00"),
        closed_days=(ClosedDay(holiday),),
        extra_shifts=(ExtraShift("xmas", holiday, time(20), time(1), ("ann",)),),
    )
    assert not is_open(roster, local(2025, 12, 25, 10))
    assert is_open(roster, local(2025, 12, 26, 0, 30))
    assert scheduled_at(roster, local(2025, 12, 25, 21)) == {"ann"}


# --- intake cut-off and next opening -----------------------------------------------


def test_last_intake_cut_off_stops_new_chats_before_the_end() -> None:
    roster = Roster(shifts=(shift("eve", MON, "18:00", "22:00"),))
    assert accepts_new_chats(roster, local(2025, 6, 9, 21, 40))
    assert is_open(roster, local(2025, 6, 9, 21, 50))
    assert not accepts_new_chats(roster, local(2025, 6, 9, 21, 50))
    assert not accepts_new_chats(roster, local(2025, 6, 9, 21, 45))  # exactly 15 left
    assert not accepts_new_chats(roster, local(2025, 6, 9, 22, 0))


def test_back_to_back_shifts_merge_so_the_cut_off_applies_at_the_block_end() -> None:
    roster = Roster(
        shifts=(
            shift("early", MON, "18:00", "20:00"),
            shift("late", MON, "20:00", "22:00"),
            shift("overlap", MON, "21:00", "22:30"),
        )
    )
    assert accepts_new_chats(roster, local(2025, 6, 9, 19, 50))
    assert accepts_new_chats(roster, local(2025, 6, 9, 21, 50))
    assert not accepts_new_chats(roster, local(2025, 6, 9, 22, 20))


def test_cut_off_applies_at_the_end_of_a_block_chained_across_midnight() -> None:
    roster = Roster(
        shifts=(shift("fri", FRI, "20:00", "00:00"), shift("sat", SAT, "00:00", "03:00"))
    )
    assert accepts_new_chats(roster, local(2025, 6, 13, 23, 50))
    assert not accepts_new_chats(roster, local(2025, 6, 14, 2, 50))


def test_zero_last_intake_accepts_until_the_end() -> None:
    roster = Roster(shifts=(shift("eve", MON, "18:00", "22:00"),), last_intake_minutes=0)
    assert accepts_new_chats(roster, local(2025, 6, 9, 21, 59))


def test_next_open_at_skips_a_closed_weekend() -> None:
    roster = Roster(shifts=(shift("mon-am", MON, "09:00", "12:00"), *weekdays("14:00", "22:00")))
    assert next_open_at(roster, local(2025, 6, 13, 22, 30)) == local(2025, 6, 16, 9)


def test_next_open_at_skips_a_closed_monday_holiday() -> None:
    roster = Roster(
        shifts=weekdays("14:00", "22:00"),
        closed_days=(ClosedDay(date(2025, 6, 9), "Whit Monday"),),
    )
    assert next_open_at(roster, local(2025, 6, 6, 23)) == local(2025, 6, 10, 14)


def test_next_open_at_during_the_cut_off_is_the_following_block() -> None:
    roster = Roster(shifts=weekdays("14:00", "22:00"))
    assert next_open_at(roster, local(2025, 6, 9, 21, 50)) == local(2025, 6, 10, 14)


def test_next_open_at_is_none_while_accepting() -> None:
    roster = Roster(shifts=weekdays("14:00", "22:00"))
    assert next_open_at(roster, local(2025, 6, 9, 15)) is None


def test_next_open_at_skips_blocks_shorter_than_the_cut_off() -> None:
    roster = Roster(
        shifts=(shift("blip", MON, "10:00", "10:10"), shift("real", TUE, "10:00", "12:00"))
    )
    assert not accepts_new_chats(roster, local(2025, 6, 9, 10, 0))
    assert next_open_at(roster, local(2025, 6, 9, 9)) == local(2025, 6, 10, 10)


def test_empty_roster_is_never_open_and_callers_are_told_it_is_empty() -> None:
    roster = Roster(closed_days=(ClosedDay(date(2025, 6, 9)),))
    assert roster.is_empty
    assert not is_open(roster, local(2025, 6, 9, 12))
    assert next_open_at(roster, local(2025, 6, 9, 12)) is None
    assert opening_hours(roster, local(2025, 6, 9, 12)) == []


def test_always_staffed_roster_always_accepts() -> None:
    roster = Roster(
        shifts=tuple(
            shift(f"s{day}-{start}", day, f"{start:02}:00", f"{(start + 8) % 24:02}:00")
            for day in range(7)
            for start in (0, 8, 16)
        )
    )
    assert accepts_new_chats(roster, local(2025, 6, 9, 23, 55))
    assert next_open_at(roster, local(2025, 6, 9, 23, 55)) is None


def test_results_are_in_the_roster_time_zone_whatever_the_clock_zone() -> None:
    roster = Roster(shifts=weekdays("14:00", "22:00"))
    opened = next_open_at(roster, datetime(2025, 6, 9, 3, tzinfo=ZoneInfo("Asia/Tokyo")))
    assert opened == local(2025, 6, 9, 14)
    assert opened is not None and opened.tzinfo is AMS


def test_naive_clock_is_rejected() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(Roster(), datetime(2025, 6, 9, 12))


# --- opening hours, staffing -------------------------------------------------------


def test_opening_hours_lists_seven_days_with_an_overnight_block() -> None:
    roster = Roster(
        shifts=(
            *weekdays("14:00", "22:00", range(MON, FRI)),
            shift("fri", FRI, "22:00", "02:00"),
            shift("sun", SUN, "18:00", "20:00"),
        ),
        extra_shifts=(ExtraShift("sat", date(2025, 6, 14), time(10), time(12)),),
    )
    rows = opening_hours(roster, local(2025, 6, 11, 23, 30))  # a Wednesday
    assert [(r.day, r.start, r.end) for r in rows] == [
        ("2025-06-11", "14:00", "22:00"),
        ("2025-06-12", "14:00", "22:00"),
        ("2025-06-13", "22:00", "02:00"),
        ("2025-06-14", "10:00", "12:00"),
        ("2025-06-15", "18:00", "20:00"),
        ("2025-06-16", "14:00", "22:00"),
        ("2025-06-17", "14:00", "22:00"),
    ]


def test_opening_hours_report_a_block_on_its_starting_day_only() -> None:
    roster = Roster(shifts=(shift("a", FRI, "20:00", "00:00"), shift("b", SAT, "00:00", "03:00")))
    assert opening_hours(roster, local(2025, 6, 14, 1), days=6) == []
    rows = opening_hours(roster, local(2025, 6, 13, 12), days=1)
    assert rows == [OpeningHours("2025-06-13", "20:00", "03:00")]


def test_opening_hours_split_a_round_the_clock_roster_at_midnight() -> None:
    roster = Roster(
        shifts=tuple(shift(f"s{d}", d, "00:00", "12:00") for d in range(7))
        + tuple(shift(f"t{d}", d, "12:00", "00:00") for d in range(7))
    )
    rows = opening_hours(roster, local(2025, 6, 9, 12), days=2)
    assert rows == [
        OpeningHours("2025-06-09", "00:00", "00:00"),
        OpeningHours("2025-06-10", "00:00", "00:00"),
    ]


def test_opening_hours_payload_uses_from_and_to() -> None:
    row = OpeningHours("2025-06-13", "22:00", "02:00")
    assert row.as_payload() == {"day": "2025-06-13", "from": "22:00", "to": "02:00"}


def test_scheduled_at_unions_counselors_of_overlapping_shifts() -> None:
    roster = Roster(
        shifts=(
            shift("a", MON, "09:00", "17:00", "ann", "bob"),
            shift("b", MON, "12:00", "20:00", "bob", "cas"),
        )
    )
    assert scheduled_at(roster, local(2025, 6, 9, 10)) == {"ann", "bob"}
    assert scheduled_at(roster, local(2025, 6, 9, 13)) == {"ann", "bob", "cas"}
    assert scheduled_at(roster, local(2025, 6, 9, 20)) == frozenset()


def test_coverage_gaps_report_understaffed_open_intervals() -> None:
    roster = Roster(
        shifts=(
            shift("mon-a", MON, "09:00", "17:00", "ann", "bob"),
            shift("mon-b", MON, "12:00", "20:00", "cas"),
            shift("tue", TUE, "10:00", "12:00"),
            shift("wed-a", WED, "09:00", "12:00", "ann"),
            shift("wed-b", WED, "12:00", "14:00", "bob"),
            shift("sun", SUN, "23:00", "01:00", "ann", "bob"),
        )
    )
    assert coverage_gaps(roster, date(2025, 6, 9), minimum=2) == [
        (local(2025, 6, 9, 17), local(2025, 6, 9, 20), 1),
        (local(2025, 6, 10, 10), local(2025, 6, 10, 12), 0),
        (local(2025, 6, 11, 9), local(2025, 6, 11, 14), 1),
    ]
    assert coverage_gaps(roster, date(2025, 6, 9), minimum=0) == []


# --- parsing and serialisation -----------------------------------------------------


def full_roster() -> Roster:
    return Roster(
        shifts=(shift("fri", FRI, "22:00", "02:00", "ann", label="Late"),),
        closed_days=(ClosedDay(date(2025, 12, 25), "Christmas"),),
        extra_shifts=(ExtraShift("nye", date(2025, 12, 31), time(20), time(3), ("bob",)),),
        timezone="Europe/Brussels",
        last_intake_minutes=10,
    )


def test_roster_round_trips_through_json() -> None:
    data = roster_to_dict(full_roster())
    assert data["shifts"] == [
        {
            "id": "fri",
            "weekdays": [FRI],
            "start": "22:00",
            "end": "02:00",
            "counselor_ids": ["ann"],
            "label": "Late",
        }
    ]
    assert parse_roster(json.loads(json.dumps(data))) == full_roster()


# --- one shift on several weekdays (issue 14, point 9) --------------------------------


def test_one_shift_on_several_weekdays_runs_on_each_of_them_and_only_them() -> None:
    begin, finish = validate_shift_times("18:00", "22:00")
    roster = Roster(shifts=(Shift("week", (FRI, MON, TUE, WED, THU, MON), begin, finish),))
    assert roster.shifts[0].weekdays == (MON, TUE, WED, THU, FRI)  # sorted, once each
    runs = occurrences(roster, local(2025, 6, 9, 0), local(2025, 6, 16, 0))
    assert [(o.shift_id, o.start.day) for o in runs] == [("week", d) for d in range(9, 14)]
    assert not is_open(roster, local(2025, 6, 14, 19))  # Saturday
    assert roster_to_dict(roster)["shifts"][0]["weekdays"] == [0, 1, 2, 3, 4]  # type: ignore[index]


def test_a_shift_stored_with_one_weekday_reads_as_a_one_day_shift() -> None:
    # Rosters saved before shifts had several days keep working unchanged.
    stored = {"shifts": [{"id": "old", "weekday": TUE, "start": "09:00", "end": "12:00",
                          "counselor_ids": ["ann"], "label": ""}]}
    roster = parse_roster(stored)
    assert roster.shifts[0].weekdays == (TUE,)
    assert is_open(roster, local(2025, 6, 10, 10)) and not is_open(roster, local(2025, 6, 11, 10))
    assert parse_roster(roster_to_dict(roster)) == roster


# --- copy a week (issue 14, point 9) -----------------------------------------------


def extra(ident: str, day: date, start: str, end: str, *who: str) -> ExtraShift:
    begin, finish = validate_shift_times(start, end)
    return ExtraShift(ident, day, begin, finish, who)


def counter() -> Callable[[], str]:
    numbers = iter(range(1000))
    return lambda: f"n{next(numbers)}"


def test_copy_week_repeats_that_weeks_extra_shifts_in_the_next_weeks() -> None:
    week = date(2025, 6, 9)  # a Monday
    roster = Roster(shifts=(shift("mon", MON, "18:00", "22:00"),), extra_shifts=(
        extra("tue", date(2025, 6, 10), "14:00", "16:00", "ann"),
        extra("sun", date(2025, 6, 15), "22:00", "02:00", "bob"),  # overnight, last day
        extra("other", date(2025, 6, 16), "09:00", "10:00"),  # next week: not copied
    ))
    copied, added = copy_week(roster, week, 2, counter())
    assert added == 4 and copied.shifts == roster.shifts
    new = [(x.date, x.start, x.counselor_ids) for x in copied.extra_shifts[3:]]
    assert new == [(date(2025, 6, 17), time(14), ("ann",)), (date(2025, 6, 22), time(22), ("bob",)),
                   (date(2025, 6, 24), time(14), ("ann",)), (date(2025, 6, 29), time(22), ("bob",))]
    assert len({x.id for x in copied.extra_shifts}) == 7
    assert is_open(copied, local(2025, 6, 30, 1))  # the copied night runs past midnight


def test_copy_week_twice_adds_nothing_the_second_time() -> None:
    roster = Roster(extra_shifts=(extra("tue", date(2025, 6, 10), "14:00", "16:00"),))
    once, added = copy_week(roster, date(2025, 6, 9), 3, counter())
    twice, again = copy_week(once, date(2025, 6, 9), 3, counter())
    assert (added, again) == (3, 0) and twice == once


@pytest.mark.parametrize("weeks", [0, 13, -1])
def test_copy_week_refuses_a_number_of_weeks_out_of_range(weeks: int) -> None:
    with pytest.raises(ValueError, match="weeks: expected 1 to 12"):
        copy_week(Roster(), date(2025, 6, 9), weeks, counter())


# --- valid from (issue 14, point 9) -------------------------------------------------


def from_date(ident: str, weekday: int, start: str, end: str, since: date, *who: str) -> Shift:
    return replace(shift(ident, weekday, start, end, *who), valid_from=since)


def test_shift_valid_from_a_date_has_no_runs_in_the_weeks_before() -> None:
    # Mondays from 2025-06-16 only: nothing on Monday the 9th, runs from the 16th on.
    roster = Roster(shifts=(from_date("eve", MON, "18:00", "22:00", date(2025, 6, 16), "ann"),))
    runs = occurrences(roster, local(2025, 6, 2, 0), local(2025, 6, 30, 0))
    assert [o.start for o in runs] == [local(2025, 6, 16, 18), local(2025, 6, 23, 18)]
    assert not is_open(roster, local(2025, 6, 9, 19))
    assert scheduled_at(roster, local(2025, 6, 9, 19)) == frozenset()
    assert scheduled_at(roster, local(2025, 6, 16, 19)) == {"ann"}
    # Before it starts, the next opening is its first run, not a week that never had it.
    assert next_open_at(roster, local(2025, 6, 9, 19)) == local(2025, 6, 16, 18)


def test_shift_valid_from_counts_in_coverage_and_opening_hours_from_that_day() -> None:
    roster = Roster(shifts=(from_date("eve", WED, "18:00", "22:00", date(2025, 6, 18), "ann"),
                            shift("mon", MON, "18:00", "22:00", "bob")))
    assert [g[0] for g in coverage_gaps(roster, date(2025, 6, 9), 1)] == []
    week = opening_hours(roster, local(2025, 6, 9, 12))
    assert [row.day for row in week] == ["2025-06-09"]
    later = opening_hours(roster, local(2025, 6, 16, 12))
    assert [row.day for row in later] == ["2025-06-16", "2025-06-18"]


def test_overnight_shift_valid_from_a_date_starts_its_first_run_that_evening() -> None:
    # A Sunday 22:00-02:00 valid from Sunday the 15th: Monday the 16th 01:00 is its first
    # night; the Monday before (the run that would have begun on the 8th) stays closed.
    roster = Roster(shifts=(from_date("night", SUN, "22:00", "02:00", date(2025, 6, 15)),))
    assert not is_open(roster, local(2025, 6, 9, 1))
    assert is_open(roster, local(2025, 6, 16, 1))


def test_valid_from_is_written_only_when_set_and_round_trips() -> None:
    plain = roster_to_dict(Roster(shifts=(shift("a", MON, "09:00", "10:00"),)))
    assert "valid_from" not in plain["shifts"][0]  # type: ignore[index]
    dated = Roster(shifts=(from_date("a", MON, "09:00", "10:00", date(2025, 6, 16)),))
    data = roster_to_dict(dated)
    assert data["shifts"][0]["valid_from"] == "2025-06-16"  # type: ignore[index]
    assert parse_roster(json.loads(json.dumps(data))) == dated


def test_parse_roster_names_a_bad_valid_from() -> None:
    data = roster_to_dict(Roster(shifts=(shift("a", MON, "09:00", "10:00"),)))
    data["shifts"][0]["valid_from"] = "16-06-2025"  # type: ignore[index]
    with pytest.raises(ValueError, match=r"shifts\[0\]\.valid_from: expected a date"):
        parse_roster(data)


def test_parse_roster_fills_defaults() -> None:
    assert parse_roster({}) == Roster()


def test_validate_shift_times_accepts_an_overnight_shift() -> None:
    assert validate_shift_times("22:00", "02:00") == (time(22), time(2))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("25:00", "02:00", "start: expected a time as HH:MM"),
        ("9:00", "17:00", "start: expected a time as HH:MM"),
        ("09:00", "17:60", "end: expected a time as HH:MM"),
        ("10:00", "10:00", "end: must differ from start"),
    ],
)
def test_validate_shift_times_rejects_bad_input(start: str, end: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_shift_times(start, end)


def bad(path: list[str | int], value: object) -> dict[str, object]:
    data = roster_to_dict(full_roster())
    target: object = data
    for key in path[:-1]:
        target = target[key]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (bad(["shifts", 0, "weekdays"], [4, 7]), r"shifts\[0\]\.weekday: expected 0 \(Monday\)"),
        (bad(["shifts", 0, "weekdays"], ["friday"]), r"shifts\[0\]\.weekdays: expected a list of"),
        (bad(["shifts", 0, "weekdays"], []), r"shifts\[0\]\.weekdays: expected at least one"),
        (bad(["shifts", 0, "weekdays"], 4), r"shifts\[0\]\.weekdays: expected a list"),
        (bad(["shifts", 0, "weekday"], 4), r"shifts\[0\]: weekday and weekdays both given"),
        (bad(["shifts", 0, "start"], "25:00"), r"shifts\[0\]\.start: expected a time"),
        (bad(["shifts", 0, "end"], "22:00"), r"shifts\[0\]\.end: must differ from start"),
        (bad(["shifts", 0, "id"], ""), r"shifts\[0\]\.id: must not be empty"),
        (bad(["shifts", 0, "counselor_ids"], [1]), r"shifts\[0\]\.counselor_ids"),
        (bad(["shifts", 0, "colour"], "red"), r"shifts\[0\]: unknown field\(s\) colour"),
        (bad(["shifts", 0], "x"), r"shifts\[0\]: expected an object"),
        (bad(["closed_days", 0, "date"], "2025-13-01"), r"closed_days\[0\]\.date"),
        (bad(["extra_shifts", 0, "date"], None), r"extra_shifts\[0\]\.date: missing"),
        (bad(["extra_shifts", 0, "id"], "fri"), r"duplicate shift id 'fri'"),
        (bad(["timezone"], "Mars/Olympus"), r"timezone: unknown time zone"),
        (bad(["last_intake_minutes"], True), r"last_intake_minutes: expected an int"),
        (bad(["last_intake_minutes"], -5), r"last_intake_minutes: expected 0 to 1440"),
        (bad(["shifts"], {}), r"shifts: expected a list"),
    ],
)
def test_parse_roster_names_the_bad_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_roster(data)


def test_shift_constructor_rejects_an_unknown_weekday() -> None:
    with pytest.raises(ValueError, match="weekday"):
        Shift("x", (7,), time(9), time(17))


# --- properties --------------------------------------------------------------------

minutes = st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60))
ids = st.text("abc", min_size=1, max_size=3)


@st.composite
def rosters(draw: st.DrawFn, zones: tuple[str, ...] = ("Europe/Amsterdam",)) -> Roster:
    days = st.dates(date(2025, 1, 1), date(2026, 12, 31))

    def slot_times() -> tuple[time, time]:
        start = draw(minutes)
        return start, draw(minutes.filter(lambda t: t != start))

    shifts = [
        Shift(
            f"s{n}", tuple(draw(st.lists(st.integers(0, 6), min_size=1, max_size=7))),
            *slot_times(), tuple(draw(st.lists(ids, max_size=3))),
            valid_from=draw(st.none() | days),
        )
        for n in range(draw(st.integers(0, 5)))
    ]
    extras = [
        ExtraShift(f"x{n}", draw(days), *slot_times(), (), draw(st.text(max_size=5)))
        for n in range(draw(st.integers(0, 3)))
    ]
    closed = draw(st.lists(st.builds(ClosedDay, days, st.text(max_size=5)), max_size=3))
    return Roster(
        tuple(shifts),
        tuple(closed),
        tuple(extras),
        draw(st.sampled_from(zones)),
        draw(st.integers(0, 60)),
    )


# The 366-day searches make some examples slower than hypothesis's default deadline.
PROPERTY = settings(deadline=None)
instants = st.datetimes(datetime(2025, 1, 1), datetime(2026, 12, 31), timezones=st.just(UTC))


@PROPERTY
@given(rosters(("Europe/Amsterdam", "America/New_York", "UTC", "Australia/Lord_Howe")))
def test_any_roster_round_trips_through_json(roster: Roster) -> None:
    assert parse_roster(json.loads(json.dumps(roster_to_dict(roster)))) == roster


@PROPERTY
@given(instants)
def test_is_open_matches_the_wall_clock_across_dst(now: datetime) -> None:
    roster = Roster(
        shifts=tuple(shift(f"d{d}", d, "09:00", "17:00") for d in range(7))
        + tuple(shift(f"n{d}", d, "22:00", "02:00") for d in range(7))
    )
    wall = now.astimezone(AMS).time()
    expected = time(9) <= wall < time(17) or wall >= time(22) or wall < time(2)
    assert is_open(roster, now) == expected


@PROPERTY
@given(rosters(), instants)
def test_queries_agree_with_occurrences(roster: Roster, now: datetime) -> None:
    around = occurrences(roster, now - timedelta(days=2), now + timedelta(days=2))
    running = [o for o in around if o.start <= now < o.end]
    assert is_open(roster, now) == bool(running)
    assert scheduled_at(roster, now) == {c for o in running for c in o.counselor_ids}
    assert not accepts_new_chats(roster, now) or running
    opens = next_open_at(roster, now)
    if opens is not None:
        assert opens > now
        assert accepts_new_chats(roster, opens)
        assert not is_open(roster, opens.astimezone(UTC) - timedelta(microseconds=1))


# --- one person in two shifts at once --------------------------------------------------


def test_a_counselor_in_two_overlapping_shifts_is_reported_once_per_clash() -> None:
    roster = Roster(shifts=(
        shift("evening", MON, "18:00", "22:00", "anna", "bram", label="Avond"),
        shift("late", MON, "21:00", "01:00", "anna"),  # overlaps 21-22, runs past midnight
        shift("night", TUE, "00:30", "02:00", "anna", "bram"),  # overlaps "late" 00:30-01:00
        shift("next", WED, "22:00", "23:00", "anna"),  # starts as nothing else runs
    ), extra_shifts=(ExtraShift("x1", date(2025, 6, 11), time(21), time(22, 30), ("bram",)),))
    found = [(c, a.shift_id, b.shift_id, a.start.tzinfo)
             for c, a, b in double_booked(roster, date(2025, 6, 9))]
    assert found == [("anna", "evening", "late", AMS), ("anna", "late", "night", AMS)]


def test_back_to_back_shifts_and_different_people_are_no_clash() -> None:
    roster = Roster(shifts=(shift("a", MON, "18:00", "20:00", "anna"),
                            shift("b", MON, "20:00", "22:00", "anna"),
                            shift("c", MON, "18:00", "22:00", "bram")))
    assert double_booked(roster, date(2025, 6, 9)) == []
