"""My shifts and the private iCalendar feed: it parses with `icalendar`, lists the counselor's
shifts, and stops working when renewed or revoked."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import aiohttp
import icalendar
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from helpchat.web.shifts import calendar, fold
from tests.admin_helpers import WebClient, web_client
from tests.conftest import ServerFactory
from tests.roster_helpers import local_now

FEED = re.compile(r'value="(http://[^"]+\.ics)"')


async def fetch(url: str) -> tuple[int, str, str]:
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return response.status, response.headers.get("Content-Type", ""), await response.text()


async def feed_link(client: WebClient, path: str = "/shifts/feed") -> str:
    status, _, location = await client.post(path)
    assert status == 303 and location.startswith("/shifts/")
    _, page = await client.get("/shifts/")
    found = FEED.search(page)
    assert found, "no feed link on My shifts"
    return found.group(1)


async def test_feed_parses_and_lists_my_shifts_only(server: TestServer, base_url: str) -> None:
    admin = await web_client(base_url, server.app, "root")
    anna = await web_client(base_url, server.app, "anna", "counselor")
    tomorrow = (local_now() + timedelta(days=1)).date()
    mine = [("weekday", str(tomorrow.weekday())), ("start", "22:00"), ("end", "02:00"),
            ("label", "Avond, laat; lang"), ("counselors", str(anna.counselor_id)),
            ("counselors", str(admin.counselor_id))]
    assert (await admin.post("/admin/roster/shifts", mine))[0] == 303
    other = {"weekday": str(tomorrow.weekday()), "start": "09:00", "end": "10:00"}
    assert (await admin.post("/admin/roster/shifts", other))[0] == 303

    status, page = await anna.get("/shifts/")
    # A colleague without a display name: a neutral name, never the login name (issue 10).
    assert status == 200 and "Avond, laat; lang" in page
    assert f"Hulpverlener {str(admin.counselor_id)[:4]}" in page and "root" not in page
    await server.app[appkeys.STORE].counselors.set_display_name(str(admin.counselor_id), "Rita")
    status, page = await anna.get("/shifts/")
    assert "Rita" in page and "root" not in page
    link = await feed_link(anna)
    status, content_type, body = await fetch(link)
    assert status == 200 and content_type.startswith("text/calendar")
    assert "Rita" in str(body) and "root" not in str(body)
    parsed = icalendar.Calendar.from_ical(body)
    events = [e for e in parsed.walk("VEVENT")]
    assert len(events) >= 12  # weekly for twelve weeks ahead (plus the last two weeks)
    first = min(events, key=lambda e: e.decoded("DTSTART"))
    start, end = first.decoded("DTSTART"), first.decoded("DTEND")
    assert end - start == timedelta(hours=4) or end - start in (timedelta(hours=3),
                                                                timedelta(hours=5))  # DST
    assert str(first.get("SUMMARY")).endswith("Avond, laat; lang")
    assert start.astimezone(UTC) > datetime.now(UTC) - timedelta(days=15)
    assert len({str(e.get("UID")) for e in events}) == len(events)
    await admin.close()
    await anna.close()


async def test_feed_of_an_english_server_names_unnamed_colleagues_in_english(
    start_server: ServerFactory,
) -> None:
    """A calendar app sends no language: the feed speaks the server's default, names too."""
    server = await start_server(default_language="en")
    base_url = str(server.make_url("")).rstrip("/")
    admin = await web_client(base_url, server.app, "root")
    anna = await web_client(base_url, server.app, "anna", "counselor")
    tomorrow = (local_now() + timedelta(days=1)).date()
    shift = [("weekday", str(tomorrow.weekday())), ("start", "18:00"), ("end", "22:00"),
             ("counselors", str(anna.counselor_id)), ("counselors", str(admin.counselor_id))]
    assert (await admin.post("/admin/roster/shifts", shift))[0] == 303

    _, _, body = await fetch(await feed_link(anna))
    events = icalendar.Calendar.from_ical(body).walk("VEVENT")
    colleague = f"Counselor {str(admin.counselor_id)[:4]}"
    assert events and all(colleague in str(e.get("DESCRIPTION")) for e in events)
    assert "Hulpverlener" not in body and "root" not in body
    await admin.close()
    await anna.close()


async def test_feed_has_no_runs_of_a_shift_before_its_valid_from_date(
    server: TestServer, base_url: str
) -> None:
    # Issue 14, point 9: a pattern added today is not in the feed's past weeks as if it
    # always existed; one without a start date still is.
    admin = await web_client(base_url, server.app, "root")
    anna = await web_client(base_url, server.app, "anna", "counselor")
    today = local_now().date()
    yesterday = today - timedelta(days=1)
    for label, since in (("Altijd", ""), ("Nieuw", today.isoformat())):
        form = {"weekday": str(yesterday.weekday()), "start": "10:00", "end": "11:00",
                "label": label, "counselors": str(anna.counselor_id), "valid_from": since}
        assert (await admin.post("/admin/roster/shifts", form))[0] == 303
    _, _, body = await fetch(await feed_link(anna))
    days = {label: sorted(e.decoded("DTSTART").date() for e in
                          icalendar.Calendar.from_ical(body).walk("VEVENT")
                          if str(e.get("SUMMARY")).endswith(label))
            for label in ("Altijd", "Nieuw")}
    assert yesterday in days["Altijd"]
    assert days["Nieuw"] and days["Nieuw"][0] == yesterday + timedelta(days=7)
    await admin.close()
    await anna.close()


async def test_renewed_or_revoked_feed_link_stops_working(
    server: TestServer, base_url: str
) -> None:
    anna = await web_client(base_url, server.app, "anna", "counselor")
    old = await feed_link(anna)
    assert (await fetch(old))[0] == 200
    new = await feed_link(anna)
    assert new != old and (await fetch(old))[0] == 404 and (await fetch(new))[0] == 200
    assert (await anna.post("/shifts/feed/revoke"))[0] == 303
    assert (await fetch(new))[0] == 404
    again = await feed_link(anna)
    assert again not in (old, new) and (await fetch(again))[0] == 200
    store = server.app[appkeys.STORE]
    assert anna.counselor_id
    await store.counselors.update(anna.counselor_id, disabled="1")
    assert (await fetch(again))[0] == 404
    bogus = again.rsplit("/", 1)[0] + "/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics"
    assert (await fetch(bogus))[0] == 404
    await anna.close()


async def test_my_shifts_needs_a_login(base_url: str) -> None:
    anonymous = await web_client(base_url)
    response = await anonymous.response("/shifts/")
    assert response.status == 302 and response.headers["Location"].startswith("/login")
    await anonymous.close()


def test_calendar_lines_are_folded_at_75_octets_without_splitting_characters() -> None:
    line = "SUMMARY:" + "é" * 80
    folded = fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    empty = calendar([], {}, datetime(2025, 1, 1, tzinfo=UTC), "Chatdienst")
    assert icalendar.Calendar.from_ical(empty).get("X-WR-CALNAME") == "Chatdienst"
