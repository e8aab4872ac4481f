"""The saved roster: storage, availability driven by it, and who may go on duty when."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, time, timedelta
from typing import Any

import aiohttp
import pytest
import redis.asyncio as aioredis
from aiohttp.test_utils import TestServer

from helpchat import appkeys, duty_rules
from helpchat import roster_signup as signup
from helpchat.config import Settings
from helpchat.roster import Roster, Shift
from helpchat.store.roster import RosterStore
from tests.admin_helpers import web_client
from tests.conftest import CounselorFactory
from tests.roster_helpers import local_now, shift_around, shift_in_two_days

MON = 0


def shift(ident: str, weekday: int, start: str, end: str, *who: str) -> Shift:
    return Shift(ident, (weekday,), time.fromisoformat(start), time.fromisoformat(end), who)


# --- the store ------------------------------------------------------------------------------


async def test_roster_round_trips_and_reads_none_when_never_saved(
    redis_client: aioredis.Redis,
) -> None:
    store = RosterStore(redis_client)
    assert await store.load() is None
    saved = Roster(shifts=(shift("a", MON, "09:00", "17:00", "c1"),))
    await store.update(lambda _: (saved, None))
    assert await store.load() == saved


async def test_concurrent_roster_edits_are_all_kept(redis_client: aioredis.Redis) -> None:
    store = RosterStore(redis_client)

    async def add(n: int) -> None:
        await store.update(lambda r: (dataclasses.replace(
            r, shifts=(*r.shifts, shift(f"s{n}", n % 7, "09:00", "10:00"))), None))

    await asyncio.gather(*(add(n) for n in range(12)))
    roster = await store.load()
    assert roster is not None and len(roster.shifts) == 12


async def test_a_refused_change_saves_nothing(redis_client: aioredis.Redis) -> None:
    store = RosterStore(redis_client)
    one = Roster(shifts=(shift("a", MON, "09:00", "17:00"),))
    await store.update(lambda _: (one, None))
    duplicate = (shift("a", 1, "09:00", "10:00"),)
    with pytest.raises(ValueError, match="duplicate"):
        await store.update(lambda r: (dataclasses.replace(r, shifts=r.shifts + duplicate), None))
    assert await store.load() == one


async def test_six_counselors_claiming_the_last_place_at_once_give_one_claim(
    redis_client: aioredis.Redis,
) -> None:
    # Issue 14, point 10: the claim and the roster change are one write under WATCH.
    store = RosterStore(redis_client)
    day = datetime(2030, 1, 7).date()  # a Monday
    one_place = dataclasses.replace(shift("eve", MON, "18:00", "22:00"), places=1)
    await store.update(lambda _: (Roster(shifts=(one_place,)), None))
    now = datetime(2030, 1, 1, tzinfo=UTC)

    async def claim(who: str) -> str:
        try:
            await store.signup(lambda r, q: (signup.claim(r, "eve", day, who, now), q, None))
        except signup.SignupError as exc:
            return exc.code
        return "claimed"

    results = await asyncio.gather(*(claim(f"c{n}") for n in range(6)))
    assert sorted(results) == ["claimed", *["full"] * 5]
    roster = await store.load()
    assert roster is not None and len(roster.covers) == 1
    run = signup.run_of(roster, "eve", day)
    assert run is not None and len(run.counselor_ids) == 1 and run.open_places == 0


# --- pure rules (clock as an argument) -----------------------------------------------------


MONDAY_10 = datetime(2025, 6, 9, 8, 0, tzinfo=UTC)  # 10:00 in Amsterdam


def test_no_roster_means_no_roster_status_and_duty_any_time() -> None:
    assert duty_rules.roster_status(None, MONDAY_10) is None
    assert duty_rules.with_settings(Roster(), Settings()) is None
    assert duty_rules.may_go_on_duty(None, "c1", MONDAY_10, allow_unscheduled=False)


def test_closed_status_has_next_open_at_with_offset_and_opening_hours() -> None:
    roster = Roster(shifts=(shift("a", 1, "14:00", "18:00"),))
    status = duty_rules.roster_status(roster, MONDAY_10)
    assert status is not None and status.accepting is False
    assert status.next_open_at == "2025-06-10T14:00:00+02:00"
    assert {"day": "2025-06-10", "from": "14:00", "to": "18:00"} in status.opening_hours


def test_duty_outside_own_shift_needs_unscheduled_duty_allowed() -> None:
    roster = Roster(shifts=(shift("a", MON, "09:00", "17:00", "anna"),
                            shift("b", MON, "10:15", "12:00", "bert")))
    assert duty_rules.may_go_on_duty(roster, "anna", MONDAY_10, allow_unscheduled=False)
    assert not duty_rules.may_go_on_duty(roster, "carl", MONDAY_10, allow_unscheduled=False)
    assert duty_rules.may_go_on_duty(roster, "carl", MONDAY_10, allow_unscheduled=True)
    # A quarter of an hour early is fine: ready when the shift opens.
    assert duty_rules.may_go_on_duty(roster, "bert", MONDAY_10, allow_unscheduled=False)
    early = MONDAY_10 - timedelta(minutes=20)
    assert not duty_rules.may_go_on_duty(roster, "bert", early, allow_unscheduled=False)


# --- through the server ----------------------------------------------------------------------


async def availability(http: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with http.get(f"{url}/api/availability?lang=nl") as response:
        result: dict[str, Any] = await response.json()
        return result


async def test_availability_follows_the_saved_roster(
    server: TestServer, base_url: str, counselor_factory: CounselorFactory
) -> None:
    admin = await web_client(base_url, server.app, "root")
    anna = await counselor_factory("anna")
    assert (await anna.call("set_duty", {"on": True}))["on"] is True
    async with aiohttp.ClientSession() as http:
        assert (await availability(http, base_url))["available"] is True  # no roster yet
        later, opens = shift_in_two_days(local_now())
        assert (await admin.post("/admin/roster/shifts", later))[0] == 303
        closed = await availability(http, base_url)
        assert closed["available"] is False and closed["reason"] == "closed"
        assert datetime.fromisoformat(closed["next_open_at"]) == opens
        assert closed["opening_hours"] and closed["contacts"]
        now_shift = shift_around(local_now(), timedelta(hours=1), timedelta(hours=2))
        assert (await admin.post("/admin/roster/shifts", now_shift))[0] == 303
        opened = await availability(http, base_url)
        assert opened["available"] is True and opened["next_open_at"] is None
    await admin.close()


async def test_set_duty_is_refused_outside_own_shift_when_unscheduled_duty_is_off(
    counselor_factory: CounselorFactory, server: TestServer, base_url: str
) -> None:
    admin = await web_client(base_url, server.app, "root")
    anna = await counselor_factory("anna")
    bert = await counselor_factory("bert")
    hub = server.app[appkeys.HUB]
    hub.live.update(allow_unscheduled_duty=False)
    fields = shift_around(local_now(), timedelta(hours=1), timedelta(hours=2))
    form = [*fields.items(), ("counselors", anna.id)]
    assert (await admin.post("/admin/roster/shifts", form))[0] == 303
    assert (await anna.call("set_duty", {"on": True}))["ok"] is True
    refused = await bert.call("set_duty", {"on": True})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    assert "ingeroosterd" in refused["error"]["message"]
    hub.live.update(allow_unscheduled_duty=True)
    assert (await bert.call("set_duty", {"on": True}))["ok"] is True
    await admin.close()
