"""My shifts' sign-up steps over HTTP on the real app and Redis (issue 14, point 10): claiming
open places, give-aways and swaps accepted by a colleague, the admin's approval, refusals
with their reason, the audit log, and availability and the iCal feeds following."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta

import icalendar
import pytest
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from helpchat import roster_signup as signup
from helpchat.roster import Roster
from tests.admin_helpers import WebClient, web_client
from tests.roster_helpers import local_now
from tests.support import connect_counselor
from tests.test_shifts import feed_link, fetch


@pytest.fixture
async def people(server: TestServer, base_url: str) -> AsyncIterator[dict[str, WebClient]]:
    clients = {"root": await web_client(base_url, server.app, "root")}
    for name in ("anna", "bert", "cem"):
        clients[name] = await web_client(base_url, server.app, name, "counselor")
    yield clients
    for client in clients.values():
        await client.close()


def cid(client: WebClient) -> str:
    assert client.counselor_id
    return client.counselor_id


async def roster(server: TestServer) -> Roster:
    saved = await server.app[appkeys.STORE].roster.load()
    assert saved is not None
    return saved


async def actions(server: TestServer) -> list[str]:
    """The roster steps in the audit log, newest first."""
    entries = await server.app[appkeys.STORE].audit.recent()
    return [e.action for e in entries if e.action.startswith("roster.")]


async def feed_days(client: WebClient) -> set[date]:
    _, _, body = await fetch(await feed_link(client))
    return {e.decoded("DTSTART").astimezone(local_now().tzinfo).date()
            for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


async def weekly(server: TestServer, admin: WebClient, *who: WebClient, start: str = "18:00",
                 end: str = "22:00", places: int = 0) -> str:
    """Mon-Sun start-end with `who`, always valid; its id."""
    form = [*(("weekday", str(d)) for d in range(7)), ("start", start), ("end", end),
            ("places", str(places)), *(("counselors", cid(c)) for c in who)]
    assert (await admin.post("/admin/roster/shifts", form))[0] == 303
    return (await roster(server)).shifts[-1].id


def people_on(r: Roster, shift_id: str, day: date) -> set[str]:
    run = signup.run_of(r, shift_id, day)
    assert run is not None
    return set(run.counselor_ids)


IN_THREE_DAYS = (local_now() + timedelta(days=3)).date()


async def test_claiming_an_open_place_fills_it_and_a_full_shift_says_so(
    server: TestServer, people: dict[str, WebClient]
) -> None:
    admin, anna, bert = people["root"], people["anna"], people["bert"]
    form = {"date": IN_THREE_DAYS.isoformat(), "start": "10:00", "end": "14:00",
            "label": "Markt", "places": "1"}
    assert (await admin.post("/admin/roster/extra", form))[0] == 303
    extra = (await roster(server)).extra_shifts[0]
    assert extra.places == 1
    _, page = await anna.get("/shifts/")
    assert "Markt" in page and "vrije plekken: 1" in page and "Inschrijven" in page

    run = f"{extra.id}/{IN_THREE_DAYS}"
    status, _, location = await anna.post("/shifts/claim", {"run": run})
    assert status == 303 and "place_claimed" in location
    assert people_on(await roster(server), extra.id, IN_THREE_DAYS) == {cid(anna)}
    _, page = await anna.get(location)
    assert "Je bent ingeschreven." in page and "geen open plekken" in page
    assert IN_THREE_DAYS in await feed_days(anna)

    status, body, _ = await bert.post("/shifts/claim", {"run": run})
    assert status == 409 and "Die dienst is vol" in body and 'role="alert"' in body
    status, body, _ = await anna.post("/shifts/claim", {"run": run})
    assert status == 409 and "Je staat al in die dienst" in body
    status, body, _ = await bert.post("/shifts/claim", {"run": "../etc/passwd"})
    assert status == 400 and "niet compleet" in body
    assert await actions(server) == ["roster.place_claimed", "roster.extra_shift_added"]
    claimed = next(e for e in await server.app[appkeys.STORE].audit.recent()
                   if e.action == "roster.place_claimed")
    assert claimed.target == f"{IN_THREE_DAYS} 10:00-14:00 Markt" and claimed.detail == "anna"

    # Given back, the place is open again for Bert.
    assert (await anna.post("/shifts/give-back", {"run": run}))[0] == 303
    assert (await bert.post("/shifts/claim", {"run": run}))[0] == 303
    assert people_on(await roster(server), extra.id, IN_THREE_DAYS) == {cid(bert)}
    assert IN_THREE_DAYS not in await feed_days(anna)


async def test_a_claim_that_overlaps_ones_own_shift_is_refused(
    server: TestServer, people: dict[str, WebClient]
) -> None:
    admin, anna = people["root"], people["anna"]
    await weekly(server, admin, anna, start="09:00", end="12:00")
    form = {"date": IN_THREE_DAYS.isoformat(), "start": "11:00", "end": "13:00", "places": "2"}
    assert (await admin.post("/admin/roster/extra", form))[0] == 303
    extra = (await roster(server)).extra_shifts[0]
    _, page = await anna.get("/shifts/")
    assert "valt samen met een dienst van jou" in page
    status, body, _ = await anna.post("/shifts/claim", {"run": f"{extra.id}/{IN_THREE_DAYS}"})
    assert status == 409 and "één persoon kan maar één dienst tegelijk" in body


async def test_a_claimed_place_lets_the_counselor_go_on_duty_when_only_rostered_may(
    server: TestServer, base_url: str, people: dict[str, WebClient]
) -> None:
    # Availability follows the claim: with unscheduled duty off, going on duty is allowed
    # from 15 minutes before one's own shift.
    admin, anna = people["root"], people["anna"]
    cookie = next(c.value for c in anna.http.cookie_jar if c.key == "helpchat_session")
    socket = await connect_counselor(base_url, cookie)
    await socket.wait_for("duty")
    server.app[appkeys.HUB].live.update(allow_unscheduled_duty=False)
    start = (local_now() + timedelta(minutes=10)).replace(second=0, microsecond=0)
    form = {"date": start.date().isoformat(), "start": f"{start:%H:%M}",
            "end": f"{start + timedelta(hours=2):%H:%M}", "places": "1"}
    assert (await admin.post("/admin/roster/extra", form))[0] == 303
    refused = await socket.call("set_duty", {"on": True})
    assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
    extra = (await roster(server)).extra_shifts[0]
    assert (await anna.post("/shifts/claim", {"run": f"{extra.id}/{start.date()}"}))[0] == 303
    assert (await socket.call("set_duty", {"on": True}))["ok"] is True
    await socket.close()


async def test_a_give_away_taken_by_a_colleague_moves_the_run_and_both_feeds(
    server: TestServer, people: dict[str, WebClient]
) -> None:
    admin, anna, bert, cem = people["root"], people["anna"], people["bert"], people["cem"]
    shift = await weekly(server, admin, anna)
    run = f"{shift}/{IN_THREE_DAYS}"
    status, _, location = await anna.post("/shifts/requests", {"kind": "giveaway", "run": run})
    assert status == 303 and "giveaway_requested" in location
    _, page = await anna.get("/shifts/")
    assert "aangeboden" in page and "wacht op een collega" in page
    status, body, _ = await anna.post("/shifts/requests", {"kind": "giveaway", "run": run})
    assert status == 409 and "al een verzoek" in body

    _, page = await bert.get("/shifts/")
    assert "Hulpverlener" in page and "biedt" in page and "Overnemen" in page
    request_id = (await server.app[appkeys.STORE].roster.requests())[0].id
    status, body, _ = await anna.post(f"/shifts/requests/{request_id}/accept")
    assert status == 409 and "eigen verzoek" in body
    status, _, location = await bert.post(f"/shifts/requests/{request_id}/accept")
    assert status == 303 and "request_done" in location
    assert people_on(await roster(server), shift, IN_THREE_DAYS) == {cid(bert)}
    assert IN_THREE_DAYS not in await feed_days(anna)
    assert IN_THREE_DAYS + timedelta(days=1) in await feed_days(anna)  # only that one run
    assert IN_THREE_DAYS in await feed_days(bert)
    status, body, _ = await cem.post(f"/shifts/requests/{request_id}/accept")
    assert status == 409 and "al afgehandeld" in body
    _, page = await anna.get("/shifts/")
    assert "geregeld met" in page
    assert (await actions(server))[:2] == ["roster.request_done", "roster.giveaway_requested"]


async def test_with_approval_on_an_accepted_give_away_waits_for_the_admin(
    server: TestServer, people: dict[str, WebClient]
) -> None:
    admin, anna, bert = people["root"], people["anna"], people["bert"]
    status, _, _ = await admin.post("/admin/settings", {
        **(await settings_form(admin)), "roster_approval": "on"})
    assert status == 303 and server.app[appkeys.HUB].settings.roster_approval
    shift = await weekly(server, admin, anna)
    for day in (IN_THREE_DAYS, IN_THREE_DAYS + timedelta(days=1)):
        run = f"{shift}/{day}"
        assert (await anna.post("/shifts/requests", {"kind": "giveaway", "run": run}))[0] == 303
    first, second = (r.id for r in await server.app[appkeys.STORE].roster.requests())
    for request_id in (first, second):
        status, _, location = await bert.post(f"/shifts/requests/{request_id}/accept")
        assert status == 303 and "request_pending" in location
    assert people_on(await roster(server), shift, IN_THREE_DAYS) == {cid(anna)}
    _, page = await admin.get("/admin/roster")
    assert page.count(">Goedkeuren</button>") == 2 and "neemt" in page

    assert (await admin.post(f"/admin/roster/requests/{first}/approve"))[0] == 303
    assert (await admin.post(f"/admin/roster/requests/{second}/refuse"))[0] == 303
    r = await roster(server)
    assert people_on(r, shift, IN_THREE_DAYS) == {cid(bert)}
    assert people_on(r, shift, IN_THREE_DAYS + timedelta(days=1)) == {cid(anna)}
    status, body, _ = await admin.post(f"/admin/roster/requests/{first}/approve")
    assert status == 400 and "al afgehandeld" in body
    status, _, _ = await bert.post(f"/admin/roster/requests/{second}/approve")
    assert status == 403  # counselors do not approve
    _, page = await anna.get("/shifts/")
    assert "niet goedgekeurd" in page and "geregeld met" in page
    assert (await actions(server))[:4] == [
        "roster.request_refused", "roster.request_approved", "roster.request_accepted",
        "roster.request_accepted"]


async def settings_form(admin: WebClient) -> dict[str, str]:
    """The settings page's current values, as the browser would send them back."""
    _, page = await admin.get("/admin/settings")
    fields = dict(re.findall(r'name="([a-z_]+)" type="(?:text|number|color|url)" value="([^"]*)"',
                             page))
    for name in ("widget_origins", "topics", "topics_en"):
        found = re.search(rf'name="{name}"[^>]*>([^<]*)</textarea>', page)
        fields[name] = found.group(1) if found else ""
    if 'name="allow_unscheduled_duty" checked' in page:
        fields["allow_unscheduled_duty"] = "on"
    return fields


async def test_a_swap_is_accepted_only_by_the_colleague_asked_and_trades_both_runs(
    server: TestServer, people: dict[str, WebClient]
) -> None:
    admin, anna, bert, cem = people["root"], people["anna"], people["bert"], people["cem"]
    evening = await weekly(server, admin, anna)
    morning = await weekly(server, admin, bert, start="09:00", end="12:00")
    later = IN_THREE_DAYS + timedelta(days=1)
    _, page = await anna.get("/shifts/")
    assert f'value="{morning}/{later}/{cid(bert)}"' in page  # a choice in the swap form
    form = {"kind": "swap", "run": f"{evening}/{IN_THREE_DAYS}",
            "theirs": f"{morning}/{later}/{cid(bert)}"}
    assert (await anna.post("/shifts/requests", form))[0] == 303
    request_id = (await server.app[appkeys.STORE].roster.requests())[0].id
    _, page = await cem.get("/shifts/")
    assert "ruilen tegen jouw" not in page  # not offered to Cem
    status, body, _ = await cem.post(f"/shifts/requests/{request_id}/accept")
    assert status == 409 and "niet aan jou gericht" in body
    _, page = await bert.get("/shifts/")
    assert "ruilen tegen jouw" in page and "Ruil accepteren" in page
    assert (await bert.post(f"/shifts/requests/{request_id}/accept"))[0] == 303
    r = await roster(server)
    assert people_on(r, evening, IN_THREE_DAYS) == {cid(bert)}
    assert people_on(r, morning, later) == {cid(anna)}
    assert later in await feed_days(anna) and IN_THREE_DAYS in await feed_days(bert)


async def test_a_declined_or_withdrawn_request_changes_nothing_and_admin_edits_keep_requests(
    server: TestServer, people: dict[str, WebClient]
) -> None:
    admin, anna, bert = people["root"], people["anna"], people["bert"]
    evening = await weekly(server, admin, anna)
    morning = await weekly(server, admin, bert, start="09:00", end="12:00")
    form = {"kind": "swap", "run": f"{evening}/{IN_THREE_DAYS}",
            "theirs": f"{morning}/{IN_THREE_DAYS}/{cid(bert)}"}
    assert (await anna.post("/shifts/requests", form))[0] == 303
    give = {"kind": "giveaway", "run": f"{evening}/{IN_THREE_DAYS + timedelta(days=1)}"}
    assert (await anna.post("/shifts/requests", give))[0] == 303
    swap_id, give_id = (r.id for r in await server.app[appkeys.STORE].roster.requests())
    # An admin edit of the roster keeps the requests (one document, written whole).
    assert (await admin.post("/admin/roster/closed", {"date": "2030-01-01"}))[0] == 303
    assert len(await server.app[appkeys.STORE].roster.requests()) == 2
    status, body, _ = await bert.post(f"/shifts/requests/{give_id}/withdraw")
    assert status == 409 and "niet aan jou gericht" in body
    assert (await bert.post(f"/shifts/requests/{swap_id}/decline"))[0] == 303
    assert (await anna.post(f"/shifts/requests/{give_id}/withdraw"))[0] == 303
    statuses = [r.status for r in await server.app[appkeys.STORE].roster.requests()]
    assert statuses == ["declined", "withdrawn"]
    assert people_on(await roster(server), evening, IN_THREE_DAYS) == {cid(anna)}
    _, page = await anna.get("/shifts/")
    assert "afgewezen" in page and "ingetrokken" in page
    assert (await actions(server))[:2] == ["roster.request_withdrawn", "roster.request_declined"]
    _, audit = await admin.get("/admin/audit")
    assert "verzoek ingetrokken" in audit and "ruil afgewezen" in audit



async def test_my_shifts_in_english_speaks_english(
    server: TestServer, people: dict[str, WebClient]
) -> None:
    await weekly(server, people["root"], people["anna"], places=1)
    status, page = await people["bert"].get("/shifts/?lang=en")
    assert status == 200 and "Open places" in page and "Sign up" in page
    assert "places free: 1" in page and "Inschrijven" not in page
    # A colleague without a display name, as an English console names them.
    anna = cid(people["anna"])[:4]
    assert f"with Counselor {anna}" in page and "Hulpverlener" not in page
    _, page = await people["bert"].get("/shifts/?lang=nl")
    assert f"Hulpverlener {anna}" in page


async def test_a_run_under_way_stays_on_my_shifts_without_buttons(
    server: TestServer, people: dict[str, WebClient]
) -> None:
    now = local_now()
    start, end = now - timedelta(hours=1), now + timedelta(hours=2)
    form = {"date": start.date().isoformat(), "start": f"{start:%H:%M}", "end": f"{end:%H:%M}",
            "label": "Nu", "counselors": cid(people["anna"])}
    assert (await people["root"].post("/admin/roster/extra", form))[0] == 303
    _, page = await people["anna"].get("/shifts/")
    row = re.search(r"<tr>\s*<td>[^<]*</td>\s*<td>[^<]*</td>\s*<td>Nu</td>.*?</tr>", page, re.S)
    assert row and "Weggeven" not in row.group(0)
    extra = (await roster(server)).extra_shifts[0]
    status, body, _ = await people["anna"].post(
        "/shifts/requests", {"kind": "giveaway", "run": f"{extra.id}/{start.date()}"})
    assert status == 409 and "al begonnen" in body
