"""The roster's week grid as plain data for the template. Pure, no I/O.

A day column is a CSS grid of SLOTS half-hour rows; a shift piece sits at row `row` spanning
`span` rows, in lane `lane` so that overlapping shifts stand side by side. Shifts crossing
midnight are cut into a piece per day. The stylesheet has a class for every row, span and lane
(no inline styles: the admin CSP forbids them).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from helpchat import roster as rosters
from helpchat.roster import Roster

SLOT_MINUTES = 30
SLOTS = 24 * 60 // SLOT_MINUTES
MAX_LANES = 6


@dataclass(frozen=True)
class Piece:
    kind: str  # "shift" | "extra" | "gap"
    shift_id: str
    label: str
    start: str  # "HH:MM" of the whole shift
    end: str
    names: tuple[str, ...]
    row: int  # 1-based grid row
    span: int
    lane: int = 1
    count: int = 0  # gaps: scheduled counselors in this stretch
    open_places: int = 0  # shifts: places still to claim on this run


@dataclass
class Day:
    date: date
    closed_reason: str | None
    pieces: list[Piece] = field(default_factory=list)
    gaps: list[Piece] = field(default_factory=list)
    lanes: int = 1


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _minutes(at: datetime) -> int:
    return at.hour * 60 + at.minute


def _day_pieces(start: datetime, end: datetime) -> list[tuple[date, int, int]]:
    """(local day, first minute, end minute) of each calendar day the interval touches."""
    pieces = []
    day = start.date()
    while True:
        first = _minutes(start) if day == start.date() else 0
        last = _minutes(end) if day == end.date() else 24 * 60
        if last > first:
            pieces.append((day, first, last))
        if day >= end.date():
            return pieces
        day += timedelta(days=1)


def _rows(first: int, last: int) -> tuple[int, int]:
    row = first // SLOT_MINUTES + 1
    end_row = -(-last // SLOT_MINUTES) + 1
    return row, max(1, end_row - row)


def _assign_lanes(pieces: list[Piece]) -> tuple[list[Piece], int]:
    ends: list[int] = []  # per lane, the row where it becomes free
    placed = []
    for piece in sorted(pieces, key=lambda p: (p.row, -p.span, p.shift_id)):
        lane = next((n for n, free in enumerate(ends) if free <= piece.row), len(ends))
        if lane == len(ends):
            ends.append(0)
        ends[lane] = piece.row + piece.span
        placed.append(Piece(**{**piece.__dict__, "lane": min(lane, MAX_LANES - 1) + 1}))
    return placed, min(max(len(ends), 1), MAX_LANES)


def week_grid(roster: Roster, week_start: date, names: Mapping[str, str],
              minimum: int) -> list[Day]:
    zone = roster.zone
    closed = {c.date: c.reason for c in roster.closed_days}
    days = [Day(week_start + timedelta(days=n), None) for n in range(7)]
    for column in days:
        column.closed_reason = closed.get(column.date)
    by_date = {column.date: column for column in days}
    lo = datetime.combine(week_start, time(0), zone)
    extra_ids = {x.id for x in roster.extra_shifts}
    for occ in rosters.occurrences(roster, lo, lo + timedelta(days=7)):
        kind = "extra" if occ.shift_id in extra_ids else "shift"
        who = tuple(sorted((names.get(c, "?") for c in occ.counselor_ids), key=str.lower))
        for day, first, last in _day_pieces(occ.start, occ.end):
            if day in by_date:
                row, span = _rows(first, last)
                by_date[day].pieces.append(Piece(
                    kind, occ.shift_id, occ.label, f"{occ.start:%H:%M}", f"{occ.end:%H:%M}",
                    who, row, span, open_places=occ.open_places))
    for start, end, count in rosters.coverage_gaps(roster, week_start, minimum):
        for day, first, last in _day_pieces(start, end):
            if day in by_date:
                row, span = _rows(first, last)
                by_date[day].gaps.append(Piece("gap", "", "", f"{start:%H:%M}", f"{end:%H:%M}",
                                               (), row, span, count=count))
    for column in days:
        column.pieces, column.lanes = _assign_lanes(column.pieces)
    return days
