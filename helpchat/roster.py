"""Duty-roster logic: weekly shifts, closed days, one-off shifts. Pure, no I/O.

Shift times are wall-clock times in ``Roster.timezone``. Every function takes the clock
explicitly and returns aware datetimes in that zone. Internally every instant is UTC:
Python compares and subtracts datetimes sharing a tzinfo by their wall-clock fields,
which is wrong across DST (an autumn 00:00-04:00 shift would last 4 hours, not 5), and
an ambiguous local time never equals a datetime in another zone: callers comparing
results near a DST change should compare ``.astimezone(UTC)`` values.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations, pairwise
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TIMEZONE = "Europe/Amsterdam"
DEFAULT_LAST_INTAKE_MINUTES = 15
HORIZON = timedelta(days=366)  # how far ahead next_open_at looks
_CHUNK = timedelta(days=7)
_TICK = timedelta(microseconds=1)  # [at, at + _TICK) is the single instant `at`
_HHMM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_T = TypeVar("_T")


@dataclass(frozen=True)
class Shift:
    """A weekly shift on one or more weekdays (Mon-Fri 18-22 is one shift, changed once);
    ``end <= start`` means each run ends the next day. With ``valid_from`` it runs only on
    days from that date on: a pattern added today is not drawn into past weeks (the admin
    grid, Insights' scheduled counts, the iCal feed) as if it always existed."""

    id: str
    weekdays: tuple[int, ...]  # 0 = Monday .. 6 = Sunday, as date.weekday(); kept sorted
    start: time
    end: time
    counselor_ids: tuple[str, ...] = ()
    label: str = ""
    valid_from: date | None = None  # the first day a run may start on; None: always
    places: int = 0  # open places on every run that counselors claim themselves

    def __post_init__(self) -> None:
        days = self.weekdays
        if not isinstance(days, tuple) or not days:
            raise ValueError(f"weekdays: expected at least one day, got {days!r}")
        for day in days:
            if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
                raise ValueError(f"weekday: expected 0 (Monday) to 6 (Sunday), got {day!r}")
        # One canonical order, so equal shifts compare equal and JSON round-trips.
        object.__setattr__(self, "weekdays", tuple(sorted(set(days))))
        _check_slot(self.id, self.start, self.end, self.places)


@dataclass(frozen=True)
class ClosedDay:
    """No shift starts on this date. A shift that began the day before and crosses
    midnight still runs to its end: ending chats mid-conversation helps nobody."""

    date: date
    reason: str = ""


@dataclass(frozen=True)
class ExtraShift:
    """A one-off shift; it runs even on a closed day (special holiday hours)."""

    id: str
    date: date
    start: time
    end: time
    counselor_ids: tuple[str, ...] = ()
    label: str = ""
    places: int = 0  # open places that counselors claim themselves

    def __post_init__(self) -> None:
        _check_slot(self.id, self.start, self.end, self.places)


@dataclass(frozen=True)
class Cover:
    """Who works one run changes (a claimed place, a give-away, one half of a swap): on the
    run of `shift_id` starting on `day`, `leaving` no longer works it and `joining` does. ""
    is nobody: a claim has no `leaving`, a place given back no `joining`. Covers apply in
    order, so a claimed place given away later is two covers."""

    shift_id: str
    day: date
    leaving: str = ""
    joining: str = ""

    def __post_init__(self) -> None:
        if not self.shift_id:
            raise ValueError("shift_id: must not be empty")
        if self.leaving == self.joining:
            raise ValueError("joining: must differ from leaving")


@dataclass(frozen=True)
class Roster:
    shifts: tuple[Shift, ...] = ()
    closed_days: tuple[ClosedDay, ...] = ()
    extra_shifts: tuple[ExtraShift, ...] = ()
    timezone: str = DEFAULT_TIMEZONE
    last_intake_minutes: int = DEFAULT_LAST_INTAKE_MINUTES
    covers: tuple[Cover, ...] = ()

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"timezone: unknown time zone {self.timezone!r}") from None
        if not 0 <= self.last_intake_minutes <= 24 * 60:
            raise ValueError(
                f"last_intake_minutes: expected 0 to 1440, got {self.last_intake_minutes!r}"
            )
        # Occurrences name their shift by id, so shifts and extra shifts share ids.
        ids = [s.id for s in self.shifts] + [x.id for x in self.extra_shifts]
        if dup := next((i for n, i in enumerate(ids) if i in ids[:n]), None):
            raise ValueError(f"shifts: duplicate shift id {dup!r}")

    @property
    def is_empty(self) -> bool:
        """No shifts: callers treat the service as open whenever someone is on duty."""
        return not self.shifts and not self.extra_shifts

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Occurrence:
    """One concrete run of a shift, with who works it after the covers; ``duration`` is its
    length in real time. (shift_id, day) names the run."""

    shift_id: str
    start: datetime
    end: datetime
    counselor_ids: tuple[str, ...]
    label: str
    day: date | None = None  # the local day the run is scheduled on
    open_places: int = 0  # places still to claim

    @property
    def duration(self) -> timedelta:
        return self.end.astimezone(UTC) - self.start.astimezone(UTC)


@dataclass(frozen=True)
class OpeningHours:
    day: str  # ISO date of the day the block starts
    start: str  # "HH:MM"
    end: str  # "HH:MM", on the next day when it is not after start

    def as_payload(self) -> dict[str, str]:
        return {"day": self.day, "from": self.start, "to": self.end}


# --- queries -----------------------------------------------------------------------


def occurrences(roster: Roster, start: datetime, end: datetime) -> list[Occurrence]:
    """Concrete shift runs overlapping [start, end), sorted by start."""
    zone = roster.zone
    found = _occurrences_utc(roster, _utc(start, "start"), _utc(end, "end"))
    return [replace(o, start=o.start.astimezone(zone), end=o.end.astimezone(zone)) for o in found]


def is_open(roster: Roster, now: datetime) -> bool:
    at = _utc(now)
    return bool(_occurrences_utc(roster, at, at + _TICK))


def accepts_new_chats(roster: Roster, now: datetime) -> bool:
    """Open, and not within last_intake_minutes of the end of the merged block."""
    at = _utc(now)
    cutoff = timedelta(minutes=roster.last_intake_minutes)
    return at < _open_until(roster, at, cutoff) - cutoff


def next_open_at(roster: Roster, now: datetime) -> datetime | None:
    """None while new chats are accepted; else the start of the next open block that
    accepts chats ("open again tomorrow at 14:00"). During the last-intake cut-off that
    is the block after the current one. None if nothing opens within HORIZON."""
    at = _utc(now)
    cutoff = timedelta(minutes=roster.last_intake_minutes)
    until = _open_until(roster, at, cutoff)
    if at < until - cutoff:
        return None
    limit = at + HORIZON
    while (start := _next_start(roster, until, limit)) is not None:
        until = _open_until(roster, start, cutoff)
        # A block shorter than the cut-off never takes a chat.
        if start < until - cutoff:
            return start.astimezone(roster.zone)
    return None


def opening_hours(roster: Roster, now: datetime, days: int = 7) -> list[OpeningHours]:
    """Merged open blocks starting on the `days` local days from today. A block is one
    row on its starting day (22:00-02:00); one of a day or more (a 24/7 roster) is
    split at local midnight, so no row claims more than a day."""
    zone = roster.zone
    today = _utc(now).astimezone(zone).date()
    last = today + timedelta(days=days)
    # A day of margin on each side finds blocks chained across the window's edges.
    window = [_midnight(today, n, zone) for n in (-1, days + 1)]
    rows: list[OpeningHours] = []
    for block_start, block_end in _merged(_occurrences_utc(roster, *window)):
        for start, end in _day_rows(block_start, block_end, zone):
            day = start.astimezone(zone).date()
            if today <= day < last:
                rows.append(OpeningHours(day.isoformat(), _hhmm(start, zone), _hhmm(end, zone)))
    return rows


def scheduled_at(roster: Roster, now: datetime) -> frozenset[str]:
    at = _utc(now)
    return frozenset(c for o in _occurrences_utc(roster, at, at + _TICK) for c in o.counselor_ids)


def coverage_gaps(
    roster: Roster, week_start: date, minimum: int
) -> list[tuple[datetime, datetime, int]]:
    """Open intervals in the 7 local days from week_start with fewer than `minimum`
    distinct counselors, as (start, end, count); equal adjacent counts merge."""
    zone = roster.zone
    lo, hi = _midnight(week_start, 0, zone), _midnight(week_start, 7, zone)
    found = _occurrences_utc(roster, lo, hi)
    inner = {t for o in found for t in (o.start, o.end) if lo < t < hi}
    edges = sorted({lo, hi, *inner})
    gaps: list[tuple[datetime, datetime, int]] = []
    for start, end in pairwise(edges):
        active = [o for o in found if o.start <= start and end <= o.end]
        count = len({c for o in active for c in o.counselor_ids})
        if not active or count >= minimum:
            continue
        if gaps and gaps[-1][1] == start and gaps[-1][2] == count:
            start = gaps.pop()[0]
        gaps.append((start, end, count))
    return [(start.astimezone(zone), end.astimezone(zone), n) for start, end, n in gaps]


def double_booked(roster: Roster, week_start: date) -> list[tuple[str, Occurrence, Occurrence]]:
    """(counselor id, earlier run, later run) for everyone put in two shifts at the same time
    in the 7 local days from week_start: one person cannot answer two shifts' chats."""
    zone = roster.zone
    lo, hi = _midnight(week_start, 0, zone), _midnight(week_start, 7, zone)
    found = _occurrences_utc(roster, lo, hi)
    clashes = []
    for first, second in combinations(found, 2):
        if first.start < second.end and second.start < first.end:
            for counselor in sorted(set(first.counselor_ids) & set(second.counselor_ids)):
                clashes.append((counselor, first, second))
    local = {id(o): replace(o, start=o.start.astimezone(zone), end=o.end.astimezone(zone))
             for o in found}
    return [(c, local[id(a)], local[id(b)]) for c, a, b in clashes]


# --- changes -----------------------------------------------------------------------

MAX_COPY_WEEKS = 12


def copy_week(
    roster: Roster, week_start: date, weeks: int, new_id: Callable[[], str]
) -> tuple[Roster, int]:
    """The extra (one-off) shifts dated in the 7 days from week_start, copied to the same
    weekdays of the next `weeks` weeks, and how many were added. Weekly shifts repeat by
    themselves; a copy that is already there (same day, times, people, label) is skipped."""
    if not 1 <= weeks <= MAX_COPY_WEEKS:
        raise ValueError(f"weeks: expected 1 to {MAX_COPY_WEEKS}, got {weeks!r}")
    end = week_start + timedelta(days=7)
    source = [x for x in roster.extra_shifts if week_start <= x.date < end]
    seen = {(x.date, x.start, x.end, x.counselor_ids, x.label) for x in roster.extra_shifts}
    added: list[ExtraShift] = []
    for n in range(1, weeks + 1):
        for x in source:
            day = x.date + timedelta(days=7 * n)
            if (day, x.start, x.end, x.counselor_ids, x.label) not in seen:
                added.append(replace(x, id=new_id(), date=day))
    return replace(roster, extra_shifts=(*roster.extra_shifts, *added)), len(added)


# --- wall clock and intervals ------------------------------------------------------


def _utc(value: datetime, name: str = "now") -> datetime:
    if value.utcoffset() is None:
        raise ValueError(f"{name}: expected an aware datetime, got a naive one")
    return value.astimezone(UTC)


def _wall_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    wall = datetime.combine(day, at)
    # fold=0: an ambiguous wall time (autumn) means its first occurrence.
    instant = wall.replace(tzinfo=zone).astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == wall:
        return instant
    # A nonexistent wall time (spring gap) becomes the end of the gap: the first
    # instant the clock shows `at` or later. Bisect for the transition second.
    lo = int(wall.replace(tzinfo=zone, fold=1).timestamp())
    hi = int(instant.timestamp())
    after = datetime.fromtimestamp(hi, zone).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).utcoffset() == after:
            hi = mid
        else:
            lo = mid
    return datetime.fromtimestamp(hi, UTC)


def _midnight(day: date, days_later: int, zone: ZoneInfo) -> datetime:
    return _wall_to_utc(day + timedelta(days=days_later), time(0), zone)


def _occurrences_utc(roster: Roster, start: datetime, end: datetime) -> list[Occurrence]:
    zone = roster.zone
    # A run starting the day before can cross midnight into the window.
    first = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date()
    closed = {c.date for c in roster.closed_days}
    covers: dict[tuple[str, date], list[Cover]] = {}
    for cover in roster.covers:
        if first <= cover.day <= last:
            covers.setdefault((cover.shift_id, cover.day), []).append(cover)
    found = [_occurrence(x, x.date, zone, covers) for x in roster.extra_shifts
             if first <= x.date <= last]
    for day in (first + timedelta(days=n) for n in range((last - first).days + 1)):
        if day not in closed:
            weekly = (s for s in roster.shifts if day.weekday() in s.weekdays
                      and (s.valid_from is None or s.valid_from <= day))
            found += [_occurrence(s, day, zone, covers) for s in weekly]
    # Runs inside a spring gap (02:00-02:30) are empty and dropped.
    hits = [o for o in found if o.start < o.end and o.start < end and start < o.end]
    return sorted(hits, key=lambda o: (o.start, o.end, o.shift_id))


def _occurrence(slot: Shift | ExtraShift, day: date, zone: ZoneInfo,
                covers: Mapping[tuple[str, date], list[Cover]]) -> Occurrence:
    end_day = day + timedelta(days=1) if slot.end <= slot.start else day
    start = _wall_to_utc(day, slot.start, zone)
    end = _wall_to_utc(end_day, slot.end, zone)
    who = list(slot.counselor_ids)
    for cover in covers.get((slot.id, day), ()):
        if cover.leaving in who:
            who.remove(cover.leaving)
        if cover.joining and cover.joining not in who:
            who.append(cover.joining)
    # Claims grow the run beyond its assigned people; a place given back shrinks it again.
    free = max(0, len(slot.counselor_ids) + slot.places - len(who))
    return Occurrence(slot.id, start, end, tuple(who), slot.label, day, free)


def _open_until(roster: Roster, at: datetime, cutoff: timedelta) -> datetime:
    """End of the merged block (touching shifts merge) holding `at`; `at` if closed.
    Stops early past at + cutoff: a 24/7 roster would otherwise be walked for a year."""
    end = at
    while end <= at + cutoff:
        grown = end
        for occ in _occurrences_utc(roster, end, end + _CHUNK):
            if occ.start > grown:
                break
            grown = max(grown, occ.end)
        if grown == end:
            break
        end = grown
    return end


def _next_start(roster: Roster, after: datetime, limit: datetime) -> datetime | None:
    lo = after
    while lo < limit:
        hi = min(lo + _CHUNK, limit)
        starts = [o.start for o in _occurrences_utc(roster, lo, hi) if o.start >= after]
        if starts:
            return starts[0]
        lo = hi
    return None


def _merged(found: Sequence[Occurrence]) -> list[tuple[datetime, datetime]]:
    blocks: list[tuple[datetime, datetime]] = []
    for occ in found:
        if blocks and occ.start <= blocks[-1][1]:
            blocks[-1] = (blocks[-1][0], max(blocks[-1][1], occ.end))
        else:
            blocks.append((occ.start, occ.end))
    return blocks


def _day_rows(
    start: datetime, end: datetime, zone: ZoneInfo
) -> Iterator[tuple[datetime, datetime]]:
    while start < end:
        local = start.astimezone(zone)
        following = local.date() + timedelta(days=1)
        a_day_later = _wall_to_utc(following, local.time().replace(fold=0), zone)
        cut = end if end < a_day_later else _midnight(following, 0, zone)
        yield start, cut
        start = cut


def _hhmm(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%H:%M")


# --- parsing and serialisation -----------------------------------------------------


def validate_shift_times(start: str, end: str) -> tuple[time, time]:
    """Parse "HH:MM" times; an end at or before the start means the next day."""
    begin, finish = _parse_time(start, "start"), _parse_time(end, "end")
    _check_span(begin, finish)
    return begin, finish


def parse_roster(data: Mapping[str, object]) -> Roster:
    """Build a Roster from roster_to_dict's shape; ValueError names the bad field."""
    _check_keys(data, "roster", {"timezone", "last_intake_minutes", *_LISTS})
    covers = [_parse_cover(item, where) for where, item in _items(data, "covers")]
    closed = [
        ClosedDay(_get_date(item, where), _get(item, "reason", str, where, ""))
        for where, item in _items(data, "closed_days")
    ]
    return Roster(
        shifts=tuple(_parse_shift(item, where) for where, item in _items(data, "shifts")),
        closed_days=tuple(closed),
        extra_shifts=tuple(
            _parse_extra(item, where) for where, item in _items(data, "extra_shifts")
        ),
        timezone=_get(data, "timezone", str, "", DEFAULT_TIMEZONE),
        last_intake_minutes=_get(data, "last_intake_minutes", int, "", DEFAULT_LAST_INTAKE_MINUTES),
        covers=tuple(covers),
    )


def roster_to_dict(roster: Roster) -> dict[str, object]:
    """JSON-serialisable form: times "HH:MM", dates ISO."""

    def slot(s: Shift | ExtraShift) -> dict[str, object]:
        key, when = (("weekdays", list(s.weekdays)) if isinstance(s, Shift)
                     else ("date", s.date.isoformat()))
        times = {"start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}"}
        rest = {"counselor_ids": list(s.counselor_ids), "label": s.label}
        # Written only when set, so rosters saved before valid_from read back the same.
        since = (
            {"valid_from": s.valid_from.isoformat()}
            if isinstance(s, Shift) and s.valid_from else {}
        )
        places = {"places": s.places} if s.places else {}
        return {"id": s.id, key: when, **times, **rest, **since, **places}

    return {
        "timezone": roster.timezone,
        "last_intake_minutes": roster.last_intake_minutes,
        "shifts": [slot(s) for s in roster.shifts],
        "closed_days": [
            {"date": c.date.isoformat(), "reason": c.reason} for c in roster.closed_days
        ],
        "extra_shifts": [slot(x) for x in roster.extra_shifts],
        "covers": [
            {"shift_id": c.shift_id, "day": c.day.isoformat(), "leaving": c.leaving,
             "joining": c.joining} for c in roster.covers
        ],
    }


_SLOT_KEYS = {"id", "start", "end", "counselor_ids", "label", "places"}
MAX_PLACES = 20
_LISTS = {  # list field -> the keys its items may have
    # "weekday" (one int) is how shifts were stored before they had several days.
    "shifts": {"weekdays", "weekday", "valid_from", *_SLOT_KEYS},
    "closed_days": {"date", "reason"},
    "extra_shifts": {"date", *_SLOT_KEYS},
    "covers": {"shift_id", "day", "leaving", "joining"},
}
_KINDS: dict[type, str] = {str: "a string", int: "an integer", list: "a list"}


def _check_slot(ident: str, start: time, end: time, places: int) -> None:
    if not ident:
        raise ValueError("id: must not be empty")
    _check_span(start, end)
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= MAX_PLACES:
        raise ValueError(f"places: expected 0 to {MAX_PLACES}, got {places!r}")


def _check_span(start: time, end: time) -> None:
    for name, value in (("start", start), ("end", end)):
        if value.second or value.microsecond or value.tzinfo is not None:
            raise ValueError(f"{name}: expected whole minutes, without a time zone")
    if start == end:
        raise ValueError(f"end: must differ from start ({start:%H:%M})")


def _parse_time(value: object, name: str) -> time:
    match = _HHMM.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"{name}: expected a time as HH:MM from 00:00 to 23:59, got {value!r}")
    return time(int(match[1]), int(match[2]))


def _get(
    item: Mapping[str, object], key: str, kind: type[_T], where: str, default: _T | None = None
) -> _T:
    value, name = item.get(key, default), f"{where}.{key}" if where else key
    if value is None:
        raise ValueError(f"{name}: missing")
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"{name}: expected {_KINDS[kind]}, got {value!r}")
    return value


def _check_keys(item: Mapping[str, object], where: str, allowed: set[str]) -> None:
    if not isinstance(item, Mapping):  # every bad input is a ValueError, types too
        raise ValueError(f"{where}: expected an object, got {item!r}")
    if unknown := sorted(set(item) - allowed):
        raise ValueError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")


def _items(data: Mapping[str, object], key: str) -> Iterator[tuple[str, Mapping[str, object]]]:
    for index, item in enumerate(_get(data, key, list, "", [])):
        where = f"{key}[{index}]"
        _check_keys(item, where, _LISTS[key])
        yield where, item


def _get_date(item: Mapping[str, object], where: str, key: str = "date") -> date:
    value = _get(item, key, str, where)
    try:
        if _ISO_DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    raise ValueError(f"{where}.{key}: expected a date as YYYY-MM-DD, got {value!r}")


def _slot_fields(
    item: Mapping[str, object], where: str
) -> tuple[str, time, time, tuple[str, ...], str, int]:
    ident = _get(item, "id", str, where)
    start = _parse_time(item.get("start"), f"{where}.start")
    end = _parse_time(item.get("end"), f"{where}.end")
    ids: list[object] = _get(item, "counselor_ids", list, where, [])
    if not all(isinstance(c, str) and c for c in ids):
        raise ValueError(f"{where}.counselor_ids: expected a list of non-empty strings")
    label = _get(item, "label", str, where, "")
    return ident, start, end, tuple(map(str, ids)), label, _get(item, "places", int, where, 0)


def _parse_shift(item: Mapping[str, object], where: str) -> Shift:
    ident, start, end, ids, label, places = _slot_fields(item, where)
    days = _weekdays(item, where)
    since = _get_date(item, where, "valid_from") if "valid_from" in item else None
    return _build(where, lambda: Shift(ident, days, start, end, ids, label, since, places))


def _weekdays(item: Mapping[str, object], where: str) -> tuple[int, ...]:
    """"weekdays": [0, 1, ...], or the older single "weekday": 0 (read as a one-day shift)."""
    if "weekdays" in item and "weekday" in item:
        raise ValueError(f"{where}: weekday and weekdays both given")
    if "weekday" in item:
        return (_get(item, "weekday", int, where),)
    days: list[object] = _get(item, "weekdays", list, where)
    for day in days:
        if isinstance(day, bool) or not isinstance(day, int):
            raise ValueError(f"{where}.weekdays: expected a list of integers, got {days!r}")
    return tuple(d for d in days if isinstance(d, int))


def _parse_extra(item: Mapping[str, object], where: str) -> ExtraShift:
    ident, start, end, ids, label, places = _slot_fields(item, where)
    day = _get_date(item, where)
    return _build(where, lambda: ExtraShift(ident, day, start, end, ids, label, places))


def _parse_cover(item: Mapping[str, object], where: str) -> Cover:
    shift_id, day = _get(item, "shift_id", str, where), _get_date(item, where, "day")
    leaving, joining = (_get(item, key, str, where, "") for key in ("leaving", "joining"))
    return _build(where, lambda: Cover(shift_id, day, leaving, joining))


def _build(where: str, make: Callable[[], _T]) -> _T:
    try:  # the dataclasses check values; their messages start with the field name
        return make()
    except ValueError as exc:
        raise ValueError(f"{where}.{exc}") from None
