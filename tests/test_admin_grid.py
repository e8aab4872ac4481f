"""The roster week grid's layout data (pure): overnight shifts split per day, overlapping
shifts side by side, closed days and under-staffed stretches marked."""

from __future__ import annotations

from datetime import date, time

from helpchat.roster import ClosedDay, ExtraShift, Roster, Shift
from helpchat.web.admin_grid import monday_of, week_grid

WEEK = date(2025, 6, 9)  # a Monday
NAMES = {"a": "Anna", "b": "Bert"}


def shift(ident: str, weekday: int, start: str, end: str, *who: str) -> Shift:
    return Shift(ident, (weekday,), time.fromisoformat(start), time.fromisoformat(end), who)


def test_overnight_shift_is_cut_at_midnight_into_two_pieces() -> None:
    days = week_grid(Roster(shifts=(shift("n", 0, "22:00", "02:00", "a"),)), WEEK, NAMES, 1)
    monday, tuesday = days[0].pieces, days[1].pieces
    assert [(p.row, p.span) for p in monday] == [(45, 4)]  # 22:00-24:00: rows 45-48
    assert [(p.row, p.span) for p in tuesday] == [(1, 4)]  # 00:00-02:00
    assert monday[0].start == "22:00" and monday[0].end == "02:00"
    assert monday[0].names == ("Anna",)


def test_overlapping_shifts_get_lanes_and_gaps_show_under_staffing() -> None:
    roster = Roster(shifts=(shift("x", 2, "09:00", "13:00", "a"),
                            shift("y", 2, "12:00", "17:00", "b"),
                            shift("z", 2, "17:00", "18:00")))
    wednesday = week_grid(roster, WEEK, NAMES, 2)[2]
    assert wednesday.lanes == 2
    assert {p.shift_id: p.lane for p in wednesday.pieces} == {"x": 1, "y": 2, "z": 1}
    assert [(g.start, g.end, g.count) for g in wednesday.gaps] == [
        ("09:00", "12:00", 1), ("13:00", "17:00", 1), ("17:00", "18:00", 0)]


def test_closed_day_and_extra_shift_are_marked() -> None:
    roster = Roster(shifts=(shift("w", 3, "10:00", "12:00"),),
                    closed_days=(ClosedDay(date(2025, 6, 12), "Feestdag"),),
                    extra_shifts=(ExtraShift("e", date(2025, 6, 14), time(10), time(11)),))
    days = week_grid(roster, WEEK, NAMES, 1)
    assert days[3].closed_reason == "Feestdag" and days[3].pieces == []
    assert [p.kind for p in days[5].pieces] == ["extra"]
    assert monday_of(date(2025, 6, 15)) == WEEK
