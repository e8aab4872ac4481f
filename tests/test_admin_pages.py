"""Admin pages over HTTP: refused input is shown next to its field and saves nothing, every
change lands in the audit log, contacts edits reach availability, accounts are guarded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from tests.admin_helpers import WebClient, web_client
from tests.conftest import CounselorFactory
from tests.roster_helpers import local_now
from tests.support import eventually


@pytest.fixture
async def admin(server: TestServer, base_url: str) -> AsyncIterator[WebClient]:
    client = await web_client(base_url, server.app, "root")
    yield client
    await client.close()


async def saved_roster(server: TestServer) -> Any:
    return await server.app[appkeys.STORE].roster.load()


@pytest.mark.parametrize(("form", "field", "reason"), [
    ({"start": "09:00", "end": "17:00"}, "shift-weekday", "minstens één dag"),
    ({"weekday": "0", "start": "9 uur", "end": "17:00"}, "shift-start", "UU:MM"),
    ({"weekday": "0", "start": "09:00", "end": "09:00"}, "shift-end", "verschillen"),
    ({"weekday": "0", "start": "09:00", "end": "17:00", "counselors": "f" * 32},
     "shift-counselors", "actieve hulpverleners"),
    ({"weekday": "0", "start": "09:00", "end": "17:00", "label": "x" * 61},
     "shift-label", "60 tekens"),
    ({"weekday": "0", "start": "09:00", "end": "17:00", "valid_from": "14-01-2030"},
     "shift-valid_from", "JJJJ-MM-DD"),
])
async def test_refused_shift_rerenders_with_reason_next_to_field_and_saves_nothing(
    server: TestServer, admin: WebClient, form: dict[str, str], field: str, reason: str
) -> None:
    status, body, _ = await admin.post("/admin/roster/shifts", form)
    assert status == 400
    assert f'id="err-{field}"' in body and reason in body
    described = f'aria-describedby="err-{field}"'
    assert described in body  # the field (or its group) points at its message
    assert await saved_roster(server) is None
    assert await server.app[appkeys.STORE].audit.count() == 0


async def test_shifts_closed_days_and_extra_shifts_are_saved_and_audited(
    server: TestServer, admin: WebClient
) -> None:
    week = [("weekday", "0"), ("weekday", "1"), ("start", "22:00"), ("end", "02:00"),
            ("label", "Nacht"), ("week", "2030-01-07")]
    status, _, location = await admin.post("/admin/roster/shifts", week)
    assert status == 303 and "week=2030-01-07" in location
    assert (await admin.post("/admin/roster/closed", {"date": "2030-01-01",
                                                      "reason": "Nieuwjaar"}))[0] == 303
    status, body, _ = await admin.post("/admin/roster/closed", {"date": "2030-01-01"})
    assert status == 400 and "al een sluitingsdag" in body
    assert (await admin.post("/admin/roster/extra", {"date": "2030-01-02", "start": "10:00",
                                                     "end": "12:00"}))[0] == 303
    roster = await saved_roster(server)
    # Two days ticked: one shift on both days, not two rows.
    assert [s.weekdays for s in roster.shifts] == [(0, 1)] and len(roster.extra_shifts) == 1
    status, page = await admin.get("/admin/roster?week=2030-01-01")
    assert status == 200 and "wg-shift shift" in page and "wg-shift extra" in page
    assert "Nieuwjaar" in page and "wg-gap" in page  # the shifts have nobody on them

    shift_id = roster.shifts[0].id
    edit = {"weekday": "2", "start": "08:00", "end": "12:00", "label": "Ochtend"}
    assert (await admin.post(f"/admin/roster/shifts/{shift_id}", edit))[0] == 303
    assert (await admin.post(f"/admin/roster/shifts/{shift_id}/delete"))[0] == 303
    assert (await admin.post("/admin/roster/closed/2030-01-01/delete"))[0] == 303
    extra_id = (await saved_roster(server)).extra_shifts[0].id
    assert (await admin.post(f"/admin/roster/extra/{extra_id}/delete"))[0] == 303
    actions = [e.action for e in await server.app[appkeys.STORE].audit.recent()]
    assert actions == ["roster.extra_shift_removed", "roster.closed_day_removed",
                       "roster.shift_removed", "roster.shift_changed",
                       "roster.extra_shift_added", "roster.closed_day_added",
                       "roster.shift_added"]
    status, audit = await admin.get("/admin/audit")
    assert status == 200 and "dienst toegevoegd" in audit and "root" in audit


async def test_a_monday_to_friday_shift_is_one_row_changed_in_one_edit(
    server: TestServer, admin: WebClient
) -> None:
    week = [*(("weekday", str(d)) for d in range(5)), ("start", "18:00"), ("end", "22:00"),
            ("valid_from", "")]
    assert (await admin.post("/admin/roster/shifts", week))[0] == 303
    shift = (await saved_roster(server)).shifts[0]
    _, page = await admin.get("/admin/roster?week=2030-01-07")
    assert page.count("wg-shift shift") == 5 and page.count("/delete") == 1
    assert "maandag t/m vrijdag" in page
    _, edit = await admin.get(f"/admin/roster/shifts/{shift.id}")
    assert edit.count('name="weekday" value=') == 7 and edit.count(" checked>") == 5

    # One edit moves every day: Tuesday and Thursday only, an hour later.
    form = [("weekday", "1"), ("weekday", "3"), ("start", "19:00"), ("end", "23:00")]
    assert (await admin.post(f"/admin/roster/shifts/{shift.id}", form))[0] == 303
    saved = (await saved_roster(server)).shifts
    assert [(s.id, s.weekdays, f"{s.start:%H:%M}") for s in saved] == [
        (shift.id, (1, 3), "19:00")]
    _, page = await admin.get("/admin/roster?week=2030-01-07")
    assert page.count("wg-shift shift") == 2 and "dinsdag, donderdag" in page
    details = [e.detail for e in await server.app[appkeys.STORE].audit.recent()]
    assert details[0].startswith("Tue,Thu 19:00") and details[1].startswith("Mon,Tue,Wed,Thu,Fri")


async def test_a_shift_valid_from_a_date_is_drawn_from_that_week_on_only(
    server: TestServer, admin: WebClient
) -> None:
    # The add form starts a new pattern today, so it is not drawn into past weeks.
    _, page = await admin.get("/admin/roster")
    assert f'name="valid_from" type="date" value="{local_now().date().isoformat()}"' in page
    form = {"weekday": "0", "start": "18:00", "end": "22:00", "valid_from": "2030-01-14"}
    assert (await admin.post("/admin/roster/shifts", form))[0] == 303
    shift = (await saved_roster(server)).shifts[0]
    assert shift.valid_from == date(2030, 1, 14)
    _, before = await admin.get("/admin/roster?week=2030-01-07")
    _, after = await admin.get("/admin/roster?week=2030-01-14")
    assert "wg-shift shift" not in before and "wg-shift shift" in after
    assert "vanaf 2030-01-14" in after
    _, edit = await admin.get(f"/admin/roster/shifts/{shift.id}")
    assert 'name="valid_from" type="date" value="2030-01-14"' in edit

    # Emptied on the edit page: the pattern holds in every week again.
    form["valid_from"] = ""
    assert (await admin.post(f"/admin/roster/shifts/{shift.id}", form))[0] == 303
    assert (await saved_roster(server)).shifts[0].valid_from is None
    _, before = await admin.get("/admin/roster?week=2030-01-07")
    assert "wg-shift shift" in before
    details = [e.detail for e in await server.app[appkeys.STORE].audit.recent()]
    assert details[0].startswith("Mon 18:00") and details[1].startswith("Mon from 2030-01-14")


async def test_copy_week_puts_that_weeks_extra_shifts_in_the_next_weeks_once(
    server: TestServer, admin: WebClient
) -> None:
    for day in ("2030-01-08", "2030-01-16"):  # a Tuesday in the copied week, one after it
        assert (await admin.post("/admin/roster/extra", {"date": day, "start": "22:00",
                                                         "end": "02:00"}))[0] == 303
    # Any day of the week names it; the copy goes to the same weekdays.
    status, _, location = await admin.post("/admin/roster/copy",
                                           {"week": "2030-01-10", "weeks": "3"})
    assert status == 303 and "week_copied" in location and "week=2030-01-10" in location
    days = sorted(x.date.isoformat() for x in (await saved_roster(server)).extra_shifts)
    assert days == ["2030-01-08", "2030-01-15", "2030-01-16", "2030-01-22", "2030-01-29"]
    _, page = await admin.get(location)
    assert "Extra diensten gekopieerd." in page
    status, _, location = await admin.post("/admin/roster/copy",
                                           {"week": "2030-01-07", "weeks": "3"})
    assert status == 303 and "week_copied_none" in location
    assert len((await saved_roster(server)).extra_shifts) == 5
    status, body, _ = await admin.post("/admin/roster/copy", {"week": "2030-01-07", "weeks": "13"})
    assert status == 400 and 'id="err-copy-weeks"' in body and "12" in body
    actions = [e.action for e in await server.app[appkeys.STORE].audit.recent()]
    assert actions.count("roster.week_copied") == 1


async def availability(url: str, lang: str = "nl") -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(
            f"{url}/api/availability?lang={lang}") as response:
        result: dict[str, Any] = await response.json()
        return result


@pytest.mark.parametrize(("changes", "field", "reason"), [
    ({"phone": "bel 112"}, "phone", "alleen cijfers"),
    ({"url": "http://insecure.example"}, "url", "https://"),
    ({"url": "https://user:pw@site.example"}, "url", "https://"),
    ({"name": ""}, "name", "Vul dit veld in"),
    ({"phone": "", "url": "", "text": ""}, "phone", "telefoonnummer, website"),
])
async def test_refused_contact_shows_reason_and_keeps_the_list(
    server: TestServer, base_url: str, admin: WebClient, changes: dict[str, str], field: str,
    reason: str
) -> None:
    before = await availability(base_url)
    form = {"name": "Hulplijn", "phone": "0800-1234", **changes}
    status, body, _ = await admin.post("/admin/contacts/nl", form)
    assert status == 400 and f'id="err-{field}"' in body and reason in body
    assert (await availability(base_url))["contacts"] == before["contacts"]


async def test_contact_edits_reach_availability_in_order(
    server: TestServer, base_url: str, admin: WebClient
) -> None:
    store = server.app[appkeys.STORE]
    first = (await store.contacts.entries("nl"))[0]
    edit = {"name": "Alarmnummer 112 (gewijzigd)", "phone": "112", "urgent": "on",
            "description": "Bij acuut gevaar.", "open_mode": "always"}
    assert (await admin.post(f"/admin/contacts/nl/{first['id']}", edit))[0] == 303
    contacts = (await availability(base_url))["contacts"]
    assert contacts[0] == {"name": "Alarmnummer 112 (gewijzigd)", "phone": "112", "url": None,
                           "text": None, "hours": None, "description": "Bij acuut gevaar.",
                           "urgent": True, "open": {"always": True}}
    assert (await admin.post(f"/admin/contacts/nl/{first['id']}/move",
                             {"direction": "down"}))[0] == 303
    assert (await availability(base_url))["contacts"][1]["name"].endswith("(gewijzigd)")
    added = {"name": "Jongerenlijn", "url": "https://jongeren.example", "hours": "ma-vr"}
    assert (await admin.post("/admin/contacts/en", added))[0] == 303
    assert (await availability(base_url, "en"))["contacts"][-1]["name"] == "Jongerenlijn"
    assert (await availability(base_url))["contacts"][-1]["name"] != "Jongerenlijn"
    status, preview = await admin.get("/admin/contacts/en/preview")
    assert status == 200 and "Jongerenlijn" in preview
    response = await admin.response("/admin/contacts/en/preview")
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


async def test_last_contact_of_a_language_cannot_be_removed(
    server: TestServer, admin: WebClient
) -> None:
    store = server.app[appkeys.STORE]
    entries = await store.contacts.entries("en")
    for entry in entries[:-1]:
        assert (await admin.post(f"/admin/contacts/en/{entry['id']}/delete"))[0] == 303
    status, body, _ = await admin.post(f"/admin/contacts/en/{entries[-1]['id']}/delete")
    assert status == 400 and "laatste contact" in body
    assert len(await store.contacts.list("en")) == 1


async def test_accounts_are_guarded_against_lockout_and_bad_input(
    server: TestServer, admin: WebClient
) -> None:
    me = admin.counselor_id
    status, body, _ = await admin.post(f"/admin/counselors/{me}",
                                       {"role": "counselor", "max_chats": "2"})
    assert status == 400 and "laatste actieve beheerder" in body
    status, body, _ = await admin.post(f"/admin/counselors/{me}/disable")
    assert status == 400 and "eigen account" in body
    for form, reason in (({"name": "a", "role": "counselor", "max_chats": "2"}, "2–40"),
                         ({"name": "root", "role": "counselor", "max_chats": "2"}, "al in gebruik"),
                         ({"name": "bo", "role": "owner", "max_chats": "2"}, "rol uit de lijst"),
                         ({"name": "bo", "role": "counselor", "max_chats": "9"}, "1 tot en met 3")):
        status, body, _ = await admin.post("/admin/counselors", form)
        assert status == 400 and reason in body, form
    assert [c.name for c in await server.app[appkeys.STORE].counselors.all()] == ["root"]


async def test_disabling_ends_sessions_and_sockets_and_requeues_chats(
    server: TestServer, base_url: str, admin: WebClient, counselor_factory: CounselorFactory
) -> None:
    anna = await counselor_factory("anna")
    await anna.call("set_duty", {"on": True})
    assert (await admin.post(f"/admin/counselors/{anna.id}/disable"))[0] == 303

    async def dropped() -> bool:
        return not anna.client.sio.connected

    await eventually(dropped)
    store = server.app[appkeys.STORE]
    assert await store.counselors.duty(anna.id) == "off"
    async with aiohttp.ClientSession(cookies={"helpchat_session": anna.cookie}) as http, \
            http.get(f"{base_url}/shifts/", allow_redirects=False) as response:
        assert response.status == 302  # the session is gone
    assert (await admin.post(f"/admin/counselors/{anna.id}/enable"))[0] == 303
    actions = [e.action for e in await store.audit.recent()]
    assert actions[:2] == ["counselor.enabled", "counselor.disabled"]


@pytest.mark.parametrize(("method", "path", "reason"), [
    ("GET", "/admin/counselors/" + "f" * 32, "Dat account bestaat niet."),
    ("GET", "/admin/counselors/not-an-id", "Dat account bestaat niet."),
    ("POST", "/admin/counselors/" + "f" * 32 + "/reset", "Dat account bestaat niet."),
    ("GET", "/admin/contacts/nl/no-such-contact", "Dat contact bestaat niet (meer)."),
    ("GET", "/admin/contacts/xx/no-such-contact", "Dat contact bestaat niet (meer)."),
    ("POST", "/admin/contacts/nl/no-such-contact/delete", "Dat contact bestaat niet (meer)."),
])
async def test_what_the_url_names_does_not_exist_gives_404_saying_so(
    admin: WebClient, method: str, path: str, reason: str
) -> None:
    if method == "GET":
        status, body = await admin.get(path)
    else:
        status, body, _ = await admin.post(path, {})
    assert status == 404
    assert reason in body


async def test_contact_hours_are_structured_and_a_wrong_time_is_named(
    server: TestServer, base_url: str, admin: WebClient
) -> None:
    store = server.app[appkeys.STORE]
    entry = next(c for c in await store.contacts.entries("nl") if "Kindertelefoon" in c["name"])
    status, page = await admin.get(f"/admin/contacts/nl/{entry['id']}")
    assert status == 200
    assert 'value="hours" checked' in page and 'name="open_from" type="time" value="11:00"' in page
    form = {"name": entry["name"], "phone": entry["phone"], "open_mode": "hours",
            "open_days": ["0", "1", "2", "3", "4"], "open_from": "14:00", "open_to": "02:00"}
    assert (await admin.post(f"/admin/contacts/nl/{entry['id']}", form))[0] == 303
    contacts = (await availability(base_url))["contacts"]
    changed = next(c for c in contacts if c["name"] == entry["name"])
    assert changed["open"] == {"days": [0, 1, 2, 3, 4], "from": "14:00", "to": "02:00"}

    status, body, _ = await admin.post(f"/admin/contacts/nl/{entry['id']}",
                                       {**form, "open_from": "14"})
    assert status == 400 and "Vul een tijd in als uu:mm." in body
