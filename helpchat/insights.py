"""Insights arithmetic: histograms with fixed buckets, percentiles, Erlang C staffing, small-cell
suppression and the funnel. Pure: fed with counters read by store/insights.py, no I/O.

Every figure comes from counters kept per local day and hour (see store/insights.py); nothing
here ever sees a visitor, a conversation or a timestamp finer than an hour.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

# --- fixed histogram buckets ---------------------------------------------------------------
# Edges 0, 10, 15, 20, 30, 40, 50, 60, 80, 100, 150, ... seconds: the same eight steps in every
# power of ten, so the buckets go on for ever (no "more than 10 minutes" cap that hides the
# long waits) while 60 s and 300 s stay exact edges for "answered within 1 / 5 minutes".
_STEPS = (10, 15, 20, 30, 40, 50, 60, 80)


@functools.cache  # a year's report asks for the same few dozen edges ~20,000 times
def bucket_edge(index: int) -> int:
    """Lower edge (seconds) of bucket `index`; bucket i holds [edge(i), edge(i + 1))."""
    if index <= 0:
        return 0
    rank, step = divmod(index - 1, len(_STEPS))
    return _STEPS[step] * 10 ** rank


def bucket_of(seconds: float) -> int:
    """The bucket a duration falls in; negative durations (clock skew) count as 0."""
    index = 0
    while bucket_edge(index + 1) <= seconds:
        index += 1
    return index


Histogram = Mapping[int, int]  # bucket index -> count


@dataclass(frozen=True)
class Range:
    """A value known to one bucket: lo <= value < hi seconds."""

    lo: int
    hi: int


def percentile(histogram: Histogram, q: float) -> Range | None:
    """The bucket holding the q-quantile (0 < q <= 1) of the counted values; None when empty.

    The q-quantile is the ceil(q * n)-th smallest value, so p50 of four values is the second.
    """
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = max(1, math.ceil(q * n - 1e-9))
    seen = 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen >= rank:
            return Range(bucket_edge(index), bucket_edge(index + 1))
    raise AssertionError("unreachable: rank <= n")


def share_below(histogram: Histogram, limit_s: int) -> float | None:
    """Share of values under `limit_s`, exact because the limit must be a bucket edge."""
    if bucket_edge(bucket_of(limit_s)) != limit_s:
        raise ValueError(f"{limit_s} s is not a bucket edge")
    n = sum(histogram.values())
    if n == 0:
        return None
    below = sum(count for index, count in histogram.items() if bucket_edge(index + 1) <= limit_s)
    return below / n


# --- Erlang C (M/M/N queue) ----------------------------------------------------------------
# Erlang C as in Westbay Engineers, "The Erlang-C formula" (erlang.com), and Chromy, Misuth &
# Kavacky, "Erlang C formula and its use in the call centers", AEEE 9(1), 2011: traffic
# A = arrival rate x mean handling time (Erlangs); probability that a contact waits
# C(N, A) = (A^N / N! * N / (N - A)) / (sum_{k<N} A^k / k! + A^N / N! * N / (N - A));
# share answered within t: SL = 1 - C(N, A) * exp(-(N - A) * t / handling time).


def erlang_c(traffic: float, servers: int) -> float:
    """Probability that an arriving contact has to wait; 1.0 when the servers cannot keep up.

    Computed through the Erlang B recursion B(n) = A B(n-1) / (n + A B(n-1)), which needs no
    factorials and so stays exact for hundreds of servers.
    """
    if traffic <= 0:
        return 0.0
    if servers <= traffic:
        return 1.0
    blocking = 1.0
    for n in range(1, servers + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return servers * blocking / (servers - traffic * (1 - blocking))


def service_level(traffic: float, servers: int, handle_s: float, target_s: float) -> float:
    """Share of contacts answered within target_s."""
    if traffic <= 0:
        return 1.0
    if servers <= traffic:
        return 0.0
    waits = erlang_c(traffic, servers)
    return 1 - waits * math.exp(-(servers - traffic) * target_s / handle_s)


def servers_needed(arrivals_per_hour: float, handle_s: float, target_s: float = 60,
                   goal: float = 0.8) -> int:
    """Fewest chat places that answer `goal` of the contacts within target_s."""
    traffic = arrivals_per_hour * handle_s / 3600
    if traffic <= 0:
        return 0
    servers = math.floor(traffic) + 1
    while service_level(traffic, servers, handle_s, target_s) < goal:
        servers += 1
    return servers


def counselors_needed(arrivals_per_hour: float, handle_s: float, concurrency: float,
                      target_s: float = 60, goal: float = 0.8) -> int:
    """Counselors for `goal` within target_s when each holds `concurrency` chats at once.

    The measured chat duration already includes the slower pace of a counselor with two chats
    open, so each counselor simply counts as `concurrency` chat places.
    """
    places = servers_needed(arrivals_per_hour, handle_s, target_s, goal)
    return math.ceil(places / concurrency - 1e-9)


# --- small cells ---------------------------------------------------------------------------
SMALL = 5  # cross-tab cells below this are shown as "< 5"
MERGED = "other_small"


def suppressed(count: int) -> int | None:
    """The count to publish in a cross-tab cell; None means "< 5" (zero is no disclosure)."""
    return None if 0 < count < SMALL else count


def merge_small(cells: Mapping[str, int]) -> dict[str, int]:
    """For exports: every cell below SMALL folded into one MERGED cell, so the total stays
    exact and no small group can be read off a row."""
    kept = {name: n for name, n in cells.items() if n == 0 or n >= SMALL}
    small = sum(n for n in cells.values() if 0 < n < SMALL)
    if small:
        kept[MERGED] = small
    return kept


# --- the funnel ----------------------------------------------------------------------------
# offered = answered + abandoned_before_estimate + abandoned_after_estimate + turned_away, in
# every hour cell: every outcome is booked in the hour its request came in (see store/insights).
FUNNEL = ("offered", "answered", "abandoned_before_estimate", "abandoned_after_estimate",
          "turned_away")
# Also counted, outside the identity: why visitors were turned away, how chats ended.
# Asynchronous questions (issue 12): asked, codes redeemed (pickups), answered and answered
# within the promise, each booked in the hour it happened; answer times go into "qans:B".
DETAILS = ("turned_closed", "turned_no_counselor", "turned_queue_full", "quick_exit", "blocked",
           "answered_async", "questions_asked", "codes_redeemed", "answered_async_in_promise")
HOURLY = FUNNEL + DETAILS
TURNED_REASONS = ("closed", "no_counselor", "queue_full")

# One day's counter hash: "HH:name", "wait:B", "dur:B", ...; values as Redis returns them.
DayCounts = Mapping[str, int] | Mapping[str, str]
HISTOGRAMS = ("wait", "dur", "abandon", "qans")  # qans: answer times of questions (issue 12)


@dataclass
class Day:
    """A counter hash (one day's, or several days' summed) sorted out by kind of field."""

    hours: list[dict[str, int]]  # 24 x counter name -> count (samples, duty_sum, ... too)
    histograms: dict[str, dict[int, int]]  # a kind of HISTOGRAMS -> bucket -> count
    sums: dict[str, int]  # dur_sum, rating:N


def parse_day(raw: DayCounts) -> Day:
    hours: list[dict[str, int]] = [{} for _ in range(24)]
    histograms: dict[str, dict[int, int]] = {kind: {} for kind in HISTOGRAMS}
    sums: dict[str, int] = {}
    for name, count in raw.items():
        if name[2:3] == ":" and name[:2].isdigit():  # "14:offered", the bulk of the fields
            hours[int(name[:2]) % 24][name[3:]] = int(count)
            continue
        head, _, tail = name.partition(":")
        if head in histograms and tail.isdigit():
            histograms[head][int(tail)] = int(count)
        else:
            sums[name] = int(count)
    return Day(hours, histograms, sums)


@dataclass
class Cell:
    """Summed counters of one hour cell (one day x hour, or an hour of the week over weeks)."""

    counts: dict[str, int] = field(default_factory=dict)
    hours: int = 0  # how many real hours this cell stands for

    def add(self, counts: Mapping[str, int], hours: int = 1) -> None:
        for name, n in counts.items():
            self.counts[name] = self.counts.get(name, 0) + n
        self.hours += hours

    def __getitem__(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def abandoned(self) -> int:
        return self["abandoned_before_estimate"] + self["abandoned_after_estimate"]

    @property
    def unanswered(self) -> int:
        return self.abandoned + self["turned_away"]

    @property
    def on_duty(self) -> float | None:
        """Mean counselors on duty over the sampled minutes."""
        return self["duty_sum"] / self["samples"] if self["samples"] else None

    @property
    def scheduled(self) -> float | None:
        return self["sched_sum"] / self["samples"] if self["samples"] else None

    def balanced(self) -> bool:
        return self["offered"] == self["answered"] + self.abandoned + self["turned_away"]

    def funnel(self) -> dict[str, int]:
        return {name: self[name] for name in HOURLY}


def dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _add_fields(total: dict[str, int], raw: Mapping[str, int]) -> None:
    get = total.get
    for name, n in raw.items():
        total[name] = get(name, 0) + n


@dataclass
class Tally:
    """A period's day hashes summed per weekday and per ISO week in one pass over their fields.

    A year is ~150,000 fields: each is converted and added twice, and only the 7 weekday sums
    and ~53 week sums are sorted out by parse_day (sorting out every day was most of the time
    of a year's report). The grid, the weeks and the period's totals all come from these sums.
    """

    weekdays: list[dict[str, int]]  # Monday first: the summed fields of those days
    weekday_days: list[int]  # how many days of the period fell on each weekday
    weeks: dict[str, tuple[list[date], dict[str, int]]]  # ISO week -> (its days, summed fields)

    @classmethod
    def of(cls, days: Mapping[date, DayCounts]) -> Tally:
        tally = cls([{} for _ in range(7)], [0] * 7, {})
        for day, raw in sorted(days.items()):
            counts = dict(zip(raw.keys(), map(int, raw.values()), strict=True))
            weekday = day.weekday()
            tally.weekday_days[weekday] += 1
            _add_fields(tally.weekdays[weekday], counts)
            members, summed = tally.weeks.setdefault(iso_week(day), ([], {}))
            members.append(day)
            _add_fields(summed, counts)
        return tally

    def grid(self) -> list[list[Cell]]:
        """7 x 24 cells (Monday first, local hours), each summed over the period's weeks."""
        return [[Cell(counts, n) for counts in parse_day(summed).hours]
                for summed, n in zip(self.weekdays, self.weekday_days, strict=True)]

    def total(self) -> Day:
        summed: dict[str, int] = {}
        for counts in self.weekdays:
            _add_fields(summed, counts)
        return parse_day(summed)


def week_grid(days: Mapping[date, DayCounts]) -> list[list[Cell]]:
    """7 x 24 cells (Monday first, local hours), each summed over the period's weeks."""
    return Tally.of(days).grid()


def _day_total(day: Day) -> Cell:
    cell = Cell()
    for counts in day.hours:
        cell.add(counts)
    return cell


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def by_week(days: Iterable[date]) -> dict[str, list[date]]:
    weeks: dict[str, list[date]] = {}
    for day in sorted(days):
        weeks.setdefault(iso_week(day), []).append(day)
    return weeks


@dataclass(frozen=True)
class Distribution:
    """What the page shows of one histogram."""

    count: int
    p50: Range | None
    p90: Range | None
    within_60s: float | None
    within_5min: float | None
    histogram: dict[int, int]


def distribution(histogram: Histogram) -> Distribution:
    merged = dict(histogram)
    return Distribution(
        count=sum(merged.values()), p50=percentile(merged, 0.5), p90=percentile(merged, 0.9),
        within_60s=share_below(merged, 60), within_5min=share_below(merged, 300),
        histogram=merged,
    )


# --- coverage ------------------------------------------------------------------------------
# Without any measured chat yet, staffing assumes a 20-minute chat (a typical helpline chat).
DEFAULT_HANDLE_S = 20 * 60


@dataclass(frozen=True)
class Coverage:
    weekday: int
    hour: int
    offered_per_hour: float
    scheduled: float | None
    on_duty: float | None
    needed: int
    unanswered: int

    @property
    def shortfall(self) -> float:
        """How far the counselors fell short of what the demand needed (negative: spare): the
        worse of the roster (scheduled) and reality (on duty), since either failing leaves
        young people unanswered."""
        present = [v for v in (self.scheduled, self.on_duty) if v is not None]
        return self.needed - (min(present) if present else 0.0)


def coverage(grid: list[list[Cell]], handle_s: float | None, concurrency: float,
             target_s: int = 60, goal: float = 0.8) -> list[Coverage]:
    """Scheduled, on-duty and needed counselors for every hour of the week."""
    handle = handle_s or DEFAULT_HANDLE_S
    found = []
    for weekday, row in enumerate(grid):
        for hour, cell in enumerate(row):
            rate = cell["offered"] / cell.hours if cell.hours else 0.0
            found.append(Coverage(
                weekday=weekday, hour=hour, offered_per_hour=rate,
                scheduled=cell.scheduled, on_duty=cell.on_duty,
                needed=counselors_needed(rate, handle, concurrency, target_s, goal),
                unanswered=cell.unanswered,
            ))
    return found


def worst_covered(cells: list[Coverage], count: int = 5) -> list[Coverage]:
    """The hours where the roster falls shortest, then where most demand went unanswered;
    hours with nothing needed and nothing missed are never "worst"."""
    short = [c for c in cells if c.shortfall > 0 or c.unanswered > 0]
    short.sort(key=lambda c: (-c.shortfall, -c.unanswered, c.weekday, c.hour))
    return short[:count]


def mean_duration_s(total: Day) -> float | None:
    n = sum(total.histograms["dur"].values())
    return total.sums.get("dur_sum", 0) / n if n else None


# --- the report: what the page shows and the exports carry ---------------------------------
WRAPUP_GROUPS = ("category", "age", "outcome", "ended")  # ended: how the chat ended
# The outcome counselors pick for test, prank and abusive contacts.
NOT_SERIOUS = "not_serious"


def _range(found: Range | None) -> list[int] | None:
    return [found.lo, found.hi] if found else None


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def distribution_json(found: Distribution) -> dict[str, object]:
    return {
        "count": found.count, "p50_s": _range(found.p50), "p90_s": _range(found.p90),
        "within_60s": _share(found.within_60s), "within_5min": _share(found.within_5min),
        "buckets": [{"from_s": bucket_edge(i), "to_s": bucket_edge(i + 1), "count": n}
                    for i, n in sorted(found.histogram.items()) if n],
    }


def wrapup_summary(totals: Mapping[str, int], merged: bool) -> dict[str, object]:
    """The period's wrap-up counts (summed over its days). Breakdown cells under SMALL are
    None ("< 5") on the page, or folded into one MERGED cell (merged=True, for exports)."""
    groups: dict[str, object] = {}
    for group in WRAPUP_GROUPS:
        prefix = f"{group}:"
        cells = {k[len(prefix):]: n for k, n in totals.items() if k.startswith(prefix)}
        if merged:
            groups[group] = merge_small(cells)
        else:
            groups[group] = {name: suppressed(n) for name, n in sorted(cells.items())}
    submitted = totals.get("submitted", 0)
    not_serious = totals.get(f"outcome:{NOT_SERIOUS}", 0)
    return {
        "submitted": submitted, "skipped": totals.get("skipped", 0),
        "debrief": suppressed(totals.get("debrief", 0)) if not merged
        else totals.get("debrief", 0),
        "not_serious_share": round(not_serious / submitted, 4) if submitted else None,
        # Counselor time on contacts shed as test/prank/abusive (realtime/hub/shedding.py).
        "shed_seconds": sum(n for k, n in totals.items() if k.startswith("shed_seconds:")),
        **groups,
    }


# End-of-shift check-in answers (store/wellbeing.py): the same order as the console's form.
CHECK_IN_GROUPS = {"feeling": ("good", "okay", "heavy"), "stays": ("no", "a_little", "yes")}


def check_in_summary(months: Mapping[str, Mapping[str, int]], merged: bool
                     ) -> dict[str, object]:
    """Check-in counts of the months that overlap the period: counters only, never linked to
    a counselor or a chat. Small cells are "< 5" on the page (None) or merged in exports, so
    "one heavy check-in in a month with one volunteer on duty" never shows."""
    totals: dict[str, int] = {}
    for counts in months.values():
        for name, n in counts.items():
            totals[name] = totals.get(name, 0) + n
    groups: dict[str, object] = {}
    for group, choices in CHECK_IN_GROUPS.items():
        cells = {choice: totals.get(f"{group}:{choice}", 0) for choice in choices}
        groups[group] = merge_small(cells) if merged else \
            {name: suppressed(n) for name, n in cells.items()}
    call_back = totals.get("call_back", 0)
    return {"months": sorted(months), "answered": totals.get("answered", 0),
            "call_back": call_back if merged else suppressed(call_back), **groups}


def ratings(total: Day) -> dict[str, object]:
    counts = {n: total.sums.get(f"rating:{n}", 0) for n in range(1, 6)}
    given = sum(counts.values())
    mean = sum(n * c for n, c in counts.items()) / given if given else None
    return {"count": given, "distribution": {str(n): c for n, c in counts.items()},
            "mean": None if mean is None else round(mean, 2)}


def report(days: Mapping[date, DayCounts], *, concurrency: float,
           wrapups: Mapping[str, int], comments: list[str],
           check_ins: Mapping[str, Mapping[str, int]] | None = None,
           merged: bool = False, hour_rows: bool = True) -> dict[str, object]:
    """Everything the Insights page shows for a period, as plain data (the JSON export is this
    with merged=True: small wrap-up cells folded instead of shown as "< 5"). The day x hour
    rows are for the exports only (hour_rows=False leaves them empty: 8,784 rows a year)."""
    tally = Tally.of(days)
    grid = tally.grid()
    total = tally.total()
    handle_s = mean_duration_s(total)
    cells = coverage(grid, handle_s, concurrency)
    weeks = []
    for week, (members, summed) in tally.weeks.items():
        parsed = parse_day(summed)
        weeks.append({
            "week": week, "from": members[0].isoformat(), "to": members[-1].isoformat(),
            **_day_total(parsed).funnel(),
            "wait": distribution_json(distribution(parsed.histograms["wait"])),
            "duration": distribution_json(distribution(parsed.histograms["dur"])),
        })
    hour_keys = [[f"{hour:02d}:{name}" for name in FUNNEL] for hour in range(24)]

    def grid_row(c: Coverage) -> dict[str, object]:
        cell = grid[c.weekday][c.hour]
        return {
            "weekday": c.weekday, "hour": c.hour, **cell.funnel(), "unanswered": c.unanswered,
            "offered_per_hour": round(c.offered_per_hour, 2),
            "scheduled": None if c.scheduled is None else round(c.scheduled, 2),
            "on_duty": None if c.on_duty is None else round(c.on_duty, 2),
            "needed": c.needed, "shortfall": round(c.shortfall, 2),
        }

    return {
        "from": min(days).isoformat() if days else None,
        "to": max(days).isoformat() if days else None,
        "concurrency": concurrency,
        "handle_s": None if handle_s is None else round(handle_s),
        "totals": _day_total(total).funnel(),
        "weeks": weeks,
        "hours": [{"date": day.isoformat(), "hour": hour,
                   **{name: int(raw.get(key, 0)) for name, key in zip(FUNNEL, keys, strict=True)}}
                  for day, raw in sorted(days.items()) for hour, keys in enumerate(hour_keys)]
        if hour_rows else [],
        "week_grid": [grid_row(c) for c in cells],
        "worst_covered": [grid_row(c) for c in worst_covered(cells)],
        "wait": distribution_json(distribution(total.histograms["wait"])),
        "abandon_wait": distribution_json(distribution(total.histograms["abandon"])),
        "duration": distribution_json(distribution(total.histograms["dur"])),
        "answer_async": distribution_json(distribution(total.histograms["qans"])),
        "wrapups": wrapup_summary(wrapups, merged),
        "check_ins": check_in_summary(check_ins or {}, merged),
        "ratings": ratings(total),
        "comments": comments,
    }
