"""Volunteers' own roster steps (issue 14, point 10), pure: open places, claims, give-aways and
swaps, with and without an admin's approval, and what they do to the roster's runs."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from helpchat import roster_signup as signup
from helpchat.roster import (
    Cover,
    ExtraShift,
    Roster,
    Shift,
    double_booked,
    parse_roster,
    roster_to_dict,
    scheduled_at,
)
from helpchat.roster_signup import ShiftRequest, SignupError

AMS = ZoneInfo("Europe/Amsterdam")
MON, TUE = date(2025, 6, 9), date(2025, 6, 10)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=AMS)  # a week before the runs


def at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=AMS)


def roster(places: int = 2) -> Roster:
    """Mon-Fri 18-22 with Ann, open for `places` more; a Saturday one-off with Bob; and an
    evening Tuesday 20-23 for Cem that clashes with Tuesday 18-22."""
    return Roster(
        shifts=(Shift("eve", (0, 1, 2, 3, 4), time(18), time(22), ("ann",), "Avond",
                      places=places),
                Shift("late", (1,), time(20), time(23), ("cem",))),
        extra_shifts=(ExtraShift("sat", date(2025, 6, 14), time(10), time(14), ("bob",)),),
    )


def who(r: Roster, shift_id: str, day: date) -> tuple[str, ...]:
    run = signup.run_of(r, shift_id, day)
    assert run is not None
    return run.counselor_ids


def code(error: pytest.ExceptionInfo[SignupError]) -> str:
    return error.value.code


# --- open places ---------------------------------------------------------------------------


def test_claims_fill_the_open_places_of_one_run_only() -> None:
    r = signup.claim(roster(), "eve", MON, "bob", NOW)
    r = signup.claim(r, "eve", MON, "dan", NOW)
    run = signup.run_of(r, "eve", MON)
    assert run is not None and run.counselor_ids == ("ann", "bob", "dan") and run.open_places == 0
    assert who(r, "eve", TUE) == ("ann",)  # the next day still has both places
    assert scheduled_at(r, at(MON, 19)) == {"ann", "bob", "dan"}
    with pytest.raises(SignupError) as full:
        signup.claim(r, "eve", MON, "eve", NOW)
    assert code(full) == "full"


@pytest.mark.parametrize(("counselor", "day", "now", "expected"), [
    ("ann", MON, NOW, "already"),  # already on it
    ("cem", TUE, NOW, "overlap"),  # Cem works 20-23 that Tuesday
    ("bob", MON, at(MON, 18), "started"),
    ("bob", date(2025, 6, 14), NOW, "not_found"),  # no evening shift on Saturdays
])
def test_a_claim_is_refused_with_the_reason(counselor: str, day: date, now: datetime,
                                            expected: str) -> None:
    with pytest.raises(SignupError) as refused:
        signup.claim(roster(), "eve", day, counselor, now)
    assert code(refused) == expected


def test_a_shift_without_open_places_cannot_be_claimed() -> None:
    with pytest.raises(SignupError) as refused:
        signup.claim(roster(places=0), "eve", MON, "bob", NOW)
    assert code(refused) == "full"


def test_a_place_given_back_is_open_again() -> None:
    r = signup.claim(roster(places=1), "eve", MON, "bob", NOW)
    r = signup.give_back(r, (), "eve", MON, "bob", NOW)
    run = signup.run_of(r, "eve", MON)
    assert run is not None and run.counselor_ids == ("ann",) and run.open_places == 1
    assert who(signup.claim(r, "eve", MON, "dan", NOW), "eve", MON) == ("ann", "dan")
    with pytest.raises(SignupError) as planned:  # Bob's Saturday has no open places
        signup.give_back(r, (), "sat", date(2025, 6, 14), "bob", NOW)
    assert code(planned) == "not_open"


# --- give-away -----------------------------------------------------------------------------


def giveaway(requester: str = "ann", day: date = MON, shift_id: str = "eve") -> ShiftRequest:
    return ShiftRequest("g1", "giveaway", shift_id, day, requester, created_ms=1)


def test_a_give_away_accepted_without_approval_moves_the_run_at_once() -> None:
    requests = signup.request(roster(), (), giveaway(), NOW)
    r, requests, done = signup.accept(roster(), requests, "g1", "bob", NOW, approval=False)
    assert done.status == "done" and done.accepted_by == "bob" and requests == (done,)
    assert who(r, "eve", MON) == ("bob",) and who(r, "eve", TUE) == ("ann",)


def test_with_approval_an_accepted_give_away_waits_for_the_admin() -> None:
    requests = signup.request(roster(), (), giveaway(), NOW)
    r, requests, pending = signup.accept(roster(), requests, "g1", "bob", NOW, approval=True)
    assert pending.status == "pending" and who(r, "eve", MON) == ("ann",)
    r, requests, done = signup.approve(r, requests, "g1", NOW)
    assert done.status == "done" and who(r, "eve", MON) == ("bob",)
    # Refused instead: nothing changes in the roster.
    requests = signup.request(roster(), (), giveaway(), NOW)
    _, requests, _ = signup.accept(roster(), requests, "g1", "bob", NOW, approval=True)
    requests, refused = signup.close(requests, "g1", "refused", "")
    assert refused.status == "refused"
    with pytest.raises(SignupError):
        signup.approve(roster(), requests, "g1", NOW)


@pytest.mark.parametrize(("by", "expected"), [
    ("ann", "own_request"), ("cem", "overlap"),
])
def test_a_give_away_is_not_taken_by_its_requester_nor_into_an_overlap(
        by: str, expected: str) -> None:
    requests = signup.request(roster(), (), giveaway(day=TUE), NOW)
    with pytest.raises(SignupError) as refused:
        signup.accept(roster(), requests, "g1", by, NOW, approval=False)
    assert code(refused) == expected


def test_approval_checks_the_roster_again() -> None:
    requests = signup.request(roster(), (), giveaway(), NOW)
    _, requests, _ = signup.accept(roster(), requests, "g1", "bob", NOW, approval=True)
    # Meanwhile the admin put Bob on Monday evening himself.
    moved = replace(roster(), covers=(Cover("eve", MON, "", "bob"),))
    with pytest.raises(SignupError) as refused:
        signup.approve(moved, requests, "g1", NOW)
    assert code(refused) == "already"


def test_requests_are_refused_for_runs_that_are_not_yours_or_asked_twice() -> None:
    with pytest.raises(SignupError) as theirs:
        signup.request(roster(), (), giveaway(requester="bob"), NOW)
    assert code(theirs) == "not_yours"
    requests = signup.request(roster(), (), giveaway(), NOW)
    with pytest.raises(SignupError) as twice:
        signup.request(roster(), requests, replace(giveaway(), id="g2"), NOW)
    assert code(twice) == "duplicate"
    # Withdrawn, it may be asked again; a withdrawn request cannot be accepted.
    requests, withdrawn = signup.close(requests, "g1", "withdrawn", "ann")
    assert withdrawn.status == "withdrawn"
    assert len(signup.request(roster(), requests, replace(giveaway(), id="g2"), NOW)) == 2
    with pytest.raises(SignupError) as closed:
        signup.accept(roster(), requests, "g1", "bob", NOW, approval=False)
    assert code(closed) == "request_closed"
    with pytest.raises(SignupError) as not_theirs:  # only the requester withdraws
        signup.close(signup.request(roster(), (), giveaway(), NOW), "g1", "withdrawn", "bob")
    assert code(not_theirs) == "not_for_you"


# --- swap ----------------------------------------------------------------------------------


def swap(colleague: str = "bob", their_shift: str = "sat",
         their_day: date = date(2025, 6, 14)) -> ShiftRequest:
    return ShiftRequest("s1", "swap", "eve", MON, "ann", created_ms=1, colleague=colleague,
                        their_shift_id=their_shift, their_day=their_day)


def test_a_swap_accepted_by_the_colleague_trades_both_runs() -> None:
    requests = signup.request(roster(), (), swap(), NOW)
    with pytest.raises(SignupError) as other:
        signup.accept(roster(), requests, "s1", "cem", NOW, approval=False)
    assert code(other) == "not_for_you"
    r, _, done = signup.accept(roster(), requests, "s1", "bob", NOW, approval=False)
    assert done.status == "done"
    assert who(r, "eve", MON) == ("bob",) and who(r, "sat", date(2025, 6, 14)) == ("ann",)
    assert double_booked(r, MON) == []


def test_a_swap_into_an_overlap_is_refused_and_a_declined_one_closes() -> None:
    # Cem's Tuesday 20-23 for Ann's Tuesday 18-22 is fine (they trade the same evening) ...
    same_evening = replace(swap("cem", "late", TUE), day=TUE)
    requests = signup.request(roster(), (), same_evening, NOW)
    r, _, _ = signup.accept(roster(), requests, "s1", "cem", NOW, approval=False)
    assert who(r, "eve", TUE) == ("cem",) and who(r, "late", TUE) == ("ann",)
    # ... but Bob taking Ann's Tuesday while he was put on Cem's late shift is not.
    busy = replace(roster(), covers=(Cover("late", TUE, "", "bob"),))
    requests = signup.request(busy, (), replace(swap(), day=TUE), NOW)
    with pytest.raises(SignupError) as clash:
        signup.accept(busy, requests, "s1", "bob", NOW, approval=False)
    assert code(clash) == "overlap"
    requests, declined = signup.close(requests, "s1", "declined", "bob")
    assert declined.status == "declined"


def test_a_swap_must_name_a_run_the_colleague_works() -> None:
    with pytest.raises(SignupError) as refused:
        signup.request(roster(), (), swap(colleague="cem"), NOW)
    assert code(refused) == "not_theirs"


# --- storage -------------------------------------------------------------------------------


def test_places_covers_and_requests_round_trip_through_json() -> None:
    r = signup.claim(roster(), "eve", MON, "bob", NOW)
    data = json.loads(json.dumps(roster_to_dict(r)))
    assert data["shifts"][0]["places"] == 2 and "places" not in data["shifts"][1]
    assert parse_roster(data) == r
    for req in (giveaway(), swap(), replace(swap(), status="pending", accepted_by="bob")):
        assert signup.parse_request(json.loads(json.dumps(signup.request_to_dict(req)))) == req
    with pytest.raises(ValueError, match="places: expected 0 to 20"):
        parse_roster({**data, "shifts": [{**data["shifts"][0], "places": 21}]})
    with pytest.raises(ValueError, match=r"covers\[0\]\.day"):
        parse_roster({**data, "covers": [{"shift_id": "eve", "day": "monday"}]})
    with pytest.raises(ValueError, match="kind or status"):
        signup.parse_request({**signup.request_to_dict(giveaway()), "kind": "sell"})


def test_prune_drops_requests_two_weeks_after_their_run() -> None:
    old, new = replace(giveaway(), id="old", day=date(2025, 5, 1)), giveaway()
    assert signup.prune((old, new), date(2025, 6, 1)) == (new,)
