"""Volunteers fill the roster themselves: claiming an open place, giving a place back, and
give-away and swap requests that a colleague accepts and, when the organization wants it,
an admin approves. Pure, no I/O: every step takes the roster, the requests and the clock,
and returns the new ones or raises SignupError with a code the pages translate.

A run is named by (shift id, local day it starts). What a step changes in the roster is a
Cover (roster.py), so the grid, availability, Insights and the iCal feeds follow at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal

from helpchat import roster as rosters
from helpchat.roster import Cover, ExtraShift, Occurrence, Roster, Shift

Kind = Literal["giveaway", "swap"]
# open: waiting for a colleague; pending: accepted, waiting for an admin; done: in the roster;
# withdrawn (by the requester), declined (by the colleague asked), refused (by an admin).
Status = Literal["open", "pending", "done", "withdrawn", "declined", "refused"]
KINDS: tuple[Kind, ...] = ("giveaway", "swap")
STATUSES: tuple[Status, ...] = ("open", "pending", "done", "withdrawn", "declined", "refused")
LIVE: tuple[Status, ...] = ("open", "pending")
KEEP_AFTER_RUN = timedelta(days=14)  # finished requests stay visible this long after their run
MAX_REQUESTS = 500  # a bound on the stored list, whatever happens


class SignupError(ValueError):
    """A step that cannot be taken; `code` is the catalog key's last part."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class ShiftRequest:
    """`requester` offers their run (shift_id, day). A give-away is for any colleague; a swap
    asks `colleague` to trade it for the colleague's run (their_shift_id, their_day)."""

    id: str
    kind: Kind
    shift_id: str
    day: date
    requester: str
    created_ms: int
    colleague: str = ""  # swap: whom it asks; give-away: "" (anyone)
    their_shift_id: str = ""
    their_day: date | None = None
    status: Status = "open"
    accepted_by: str = ""

    @property
    def live(self) -> bool:
        return self.status in LIVE


# --- runs --------------------------------------------------------------------------------


def run_of(roster: Roster, shift_id: str, day: date) -> Occurrence | None:
    """The run of `shift_id` scheduled on `day`, with who works it now; None if there is none
    (no such shift, not on that weekday, a closed day, before valid_from)."""
    zone = roster.zone
    lo = datetime.combine(day, datetime.min.time(), zone)
    found = rosters.occurrences(roster, lo, lo + timedelta(days=2))
    return next((o for o in found if o.shift_id == shift_id and o.day == day), None)


def upcoming(roster: Roster, now: datetime, ahead: timedelta) -> list[Occurrence]:
    """Runs starting from now to now + ahead (a run already under way is no longer offered)."""
    return [o for o in rosters.occurrences(roster, now, now + ahead) if o.start >= now]


def overlaps(roster: Roster, counselor: str, run: Occurrence) -> bool:
    """Whether `counselor` works another run at the same time as `run`."""
    return any(
        o.start < run.end and run.start < o.end and counselor in o.counselor_ids
        and (o.shift_id, o.day) != (run.shift_id, run.day)
        for o in rosters.occurrences(roster, run.start, run.end)
    )


def open_shift(roster: Roster, shift_id: str) -> bool:
    """Whether the shift has places that counselors claim themselves."""
    slots: list[Shift | ExtraShift] = [*roster.shifts, *roster.extra_shifts]
    return any(s.id == shift_id and s.places > 0 for s in slots)


def _future_run(roster: Roster, shift_id: str, day: date, now: datetime) -> Occurrence:
    run = run_of(roster, shift_id, day)
    if run is None:
        raise SignupError("not_found")
    if run.start <= now:
        raise SignupError("started")
    return run


def _with_covers(roster: Roster, *covers: Cover) -> Roster:
    return replace(roster, covers=(*roster.covers, *covers))


def _move(roster: Roster, run: Occurrence, leaving: str, joining: str) -> Roster:
    """The roster with `joining` in `leaving`'s place on `run`, refused if that puts
    `joining` in two runs at once."""
    changed = _with_covers(roster, Cover(run.shift_id, _day(run), leaving, joining))
    if joining and overlaps(changed, joining, run):
        raise SignupError("overlap")
    return changed


def _day(run: Occurrence) -> date:
    if run.day is None:  # occurrences() always sets it; only a hand-made one lacks it
        raise SignupError("not_found")
    return run.day


# --- claiming and giving back a place ------------------------------------------------------


def claim(roster: Roster, shift_id: str, day: date, counselor: str, now: datetime) -> Roster:
    """`counselor` takes one open place of the run: not when full, not twice, not when it
    overlaps another run of theirs."""
    run = _future_run(roster, shift_id, day, now)
    if counselor in run.counselor_ids:
        raise SignupError("already")
    if run.open_places < 1:
        raise SignupError("full")
    return _move(roster, run, "", counselor)


def give_back(roster: Roster, requests: Sequence[ShiftRequest], shift_id: str, day: date,
              counselor: str, now: datetime) -> Roster:
    """`counselor` leaves a run of an open shift (one with places to claim): the place is open
    again. A run the admin planned without open places needs a give-away or a swap."""
    run = _future_run(roster, shift_id, day, now)
    if counselor not in run.counselor_ids:
        raise SignupError("not_yours")
    if not open_shift(roster, shift_id):
        raise SignupError("not_open")
    if any(r.live and r.requester == counselor and (r.shift_id, r.day) == (shift_id, day)
           for r in requests):
        raise SignupError("has_request")
    return _with_covers(roster, Cover(shift_id, day, counselor, ""))


# --- requests ----------------------------------------------------------------------------


def request(roster: Roster, requests: Sequence[ShiftRequest], new: ShiftRequest,
            now: datetime) -> tuple[ShiftRequest, ...]:
    """Add a give-away or swap request after checking it could be accepted as it stands."""
    run = _future_run(roster, new.shift_id, new.day, now)
    if new.requester not in run.counselor_ids:
        raise SignupError("not_yours")
    if any(r.live and r.requester == new.requester and r.shift_id == new.shift_id
           and r.day == new.day for r in requests):
        raise SignupError("duplicate")
    if new.kind == "swap":
        if new.their_day is None or not new.colleague or new.colleague == new.requester:
            raise SignupError("invalid")
        theirs = _future_run(roster, new.their_shift_id, new.their_day, now)
        if new.colleague not in theirs.counselor_ids:
            raise SignupError("not_theirs")
        if new.requester in theirs.counselor_ids or new.colleague in run.counselor_ids:
            raise SignupError("already")
    elif new.colleague or new.their_shift_id or new.their_day:
        raise SignupError("invalid")
    return (*requests, replace(new, status="open", accepted_by=""))


def _find(requests: Sequence[ShiftRequest], request_id: str) -> ShiftRequest:
    found = next((r for r in requests if r.id == request_id), None)
    if found is None:
        raise SignupError("request_gone")
    return found


def _replaced(requests: Sequence[ShiftRequest], new: ShiftRequest) -> tuple[ShiftRequest, ...]:
    return tuple(new if r.id == new.id else r for r in requests)


def apply(roster: Roster, req: ShiftRequest, by: str, now: datetime) -> Roster:
    """The roster with the request carried out by `by` (the colleague taking it), checked
    again against the roster as it is now: people and times may have changed meanwhile."""
    mine = _future_run(roster, req.shift_id, req.day, now)
    if req.requester not in mine.counselor_ids:
        raise SignupError("not_yours")
    if by in mine.counselor_ids:
        raise SignupError("already")
    if req.kind == "giveaway":
        return _move(roster, mine, req.requester, by)
    if req.their_day is None:
        raise SignupError("invalid")
    theirs = _future_run(roster, req.their_shift_id, req.their_day, now)
    if by not in theirs.counselor_ids:
        raise SignupError("not_theirs")
    if req.requester in theirs.counselor_ids:
        raise SignupError("already")
    # Both halves at once, then the overlap check on the result: a swap of two runs at the
    # same hour is fine, a swap into a run clashing with a third one is not.
    changed = _with_covers(roster, Cover(mine.shift_id, req.day, req.requester, by),
                           Cover(theirs.shift_id, req.their_day, by, req.requester))
    # The runs' times are the same after the swap; only who works them changed.
    if overlaps(changed, by, mine) or overlaps(changed, req.requester, theirs):
        raise SignupError("overlap")
    return changed


def accept(roster: Roster, requests: Sequence[ShiftRequest], request_id: str, by: str,
           now: datetime, approval: bool) -> tuple[Roster, tuple[ShiftRequest, ...], ShiftRequest]:
    """A colleague takes the request. With approval it waits for an admin (the change is
    checked now and again when approved); without, it is in the roster at once."""
    req = _find(requests, request_id)
    if req.status != "open":
        raise SignupError("request_closed")
    if by == req.requester:
        raise SignupError("own_request")
    if req.kind == "swap" and by != req.colleague:
        raise SignupError("not_for_you")
    changed = apply(roster, req, by, now)
    if approval:
        done = replace(req, status="pending", accepted_by=by)
        return roster, _replaced(requests, done), done
    done = replace(req, status="done", accepted_by=by)
    return changed, _replaced(requests, done), done


def approve(roster: Roster, requests: Sequence[ShiftRequest], request_id: str,
            now: datetime) -> tuple[Roster, tuple[ShiftRequest, ...], ShiftRequest]:
    req = _find(requests, request_id)
    if req.status != "pending":
        raise SignupError("request_closed")
    changed = apply(roster, req, req.accepted_by, now)
    done = replace(req, status="done")
    return changed, _replaced(requests, done), done


def close(requests: Sequence[ShiftRequest], request_id: str, status: Status, by: str,
          ) -> tuple[tuple[ShiftRequest, ...], ShiftRequest]:
    """Withdraw (the requester, while open or pending), decline (the colleague a swap asks,
    while open) or refuse (an admin, while pending; `by` is then "")."""
    req = _find(requests, request_id)
    states: tuple[Status, ...]
    if status == "withdrawn":
        states, who = LIVE, req.requester
    elif status == "declined" and req.kind == "swap":  # a give-away is for anyone: no one declines
        states, who = ("open",), req.colleague
    elif status == "refused":
        states, who = ("pending",), ""
    else:
        raise SignupError("invalid")
    if req.status not in states:
        raise SignupError("request_closed")
    if by != who:
        raise SignupError("not_for_you")
    done = replace(req, status=status)
    return _replaced(requests, done), done


def prune(requests: Iterable[ShiftRequest], today: date) -> tuple[ShiftRequest, ...]:
    """Requests whose runs are over by KEEP_AFTER_RUN are dropped (their steps stay in the
    audit log); the newest MAX_REQUESTS are kept in any case."""
    kept = [r for r in requests if r.day >= today - KEEP_AFTER_RUN]
    return tuple(kept[-MAX_REQUESTS:])


# --- serialisation -----------------------------------------------------------------------


def request_to_dict(req: ShiftRequest) -> dict[str, object]:
    return {"id": req.id, "kind": req.kind, "shift_id": req.shift_id, "day": req.day.isoformat(),
            "requester": req.requester, "created_ms": req.created_ms, "colleague": req.colleague,
            "their_shift_id": req.their_shift_id,
            "their_day": req.their_day.isoformat() if req.their_day else None,
            "status": req.status, "accepted_by": req.accepted_by}


def parse_request(data: Mapping[str, object]) -> ShiftRequest:
    """The inverse of request_to_dict; ValueError on anything else."""
    try:
        kind, status = data["kind"], data["status"]
        if kind not in KINDS or status not in STATUSES:
            raise ValueError(f"kind or status: unknown {kind!r}/{status!r}")
        their_day = data.get("their_day")
        texts = {k: data.get(k, "") for k in ("id", "shift_id", "requester", "colleague",
                                               "their_shift_id", "accepted_by")}
        if not all(isinstance(v, str) for v in texts.values()) or not isinstance(
                data["created_ms"], int):
            raise ValueError("request: a field has the wrong type")
        return ShiftRequest(
            id=str(texts["id"]), kind=kind, shift_id=str(texts["shift_id"]),
            day=date.fromisoformat(str(data["day"])), requester=str(texts["requester"]),
            created_ms=int(data["created_ms"]), colleague=str(texts["colleague"]),
            their_shift_id=str(texts["their_shift_id"]),
            their_day=date.fromisoformat(str(their_day)) if their_day else None,
            status=status, accepted_by=str(texts["accepted_by"]))
    except (KeyError, TypeError) as exc:
        raise ValueError(f"request: {exc}") from None
