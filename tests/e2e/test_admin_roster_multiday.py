"""One weekly shift on several weekdays (issue 14, point 9): Mon-Fri 18-22 is added and edited
as one shift, and the grid, availability's opening hours and the iCal feed follow the one
edit. Chromium at 1280x800 and 375x667, axe clean, screenshots."""

from __future__ import annotations

from datetime import date, timedelta

import aiohttp
import icalendar
from playwright.async_api import expect

from helpchat.store import Store
from helpchat.web.shifts import feed_token
from tests.e2e.conftest import TEST_SECRET, LiveServer, snap
from tests.e2e.test_admin import WEEKDAYS, Login, availability, logged_in  # noqa: F401
from tests.e2e.test_widget import assert_accessible
from tests.roster_helpers import local_now
from tests.support import add_account


async def feed_days(server: LiveServer, store: Store, counselor_id: str) -> set[date]:
    """The local days of the counselor's iCal events in the coming week."""
    generation = await store.feeds.renew(counselor_id)
    token = feed_token(TEST_SECRET, counselor_id, generation)
    async with aiohttp.ClientSession() as http, http.get(
            f"{server.url}/shifts/feed/{counselor_id}/{token}.ics") as response:
        assert response.status == 200
        events = icalendar.Calendar.from_ical(await response.text()).walk("VEVENT")
    today = local_now().date()
    days = {e.decoded("DTSTART").astimezone(local_now().tzinfo).date() for e in events}
    return {d for d in days if today <= d < today + timedelta(days=7)}


async def test_monday_to_friday_is_one_shift_edited_once_everywhere(
    logged_in: Login, live_server: LiveServer, live_store: Store,  # noqa: F811
) -> None:
    anna = await add_account(live_store, "Anna", display_name="Anna")
    today = local_now().date()
    next_monday = today + timedelta(days=7 - today.weekday())
    page = await logged_in(start="/admin/roster")

    form = page.locator("#add-shift")
    for day in WEEKDAYS[:5]:
        await form.get_by_label(day, exact=True).check()
    await form.get_by_label("Begin").fill("18:00")
    await form.get_by_label("Einde").fill("22:00")
    await form.get_by_label("Omschrijving").fill("Avond")
    await form.get_by_label("Anna", exact=True).check()
    await form.get_by_label("Geldig vanaf").fill(next_monday.isoformat())
    await form.get_by_role("button", name="Dienst toevoegen").click()
    await expect(page.get_by_role("status")).to_have_text("Dienst toegevoegd.")

    rows = page.locator("#shifts-title ~ table tbody tr")
    await expect(rows).to_have_count(1)  # one shift, not five rows
    await expect(rows.locator("td").first).to_have_text(
        f"maandag t/m vrijdag (vanaf {next_monday})")
    await page.goto(f"{page.url.split('?')[0]}?week={next_monday}")
    await expect(page.locator(".wg-shift.shift")).to_have_count(5)
    await assert_accessible(page)
    await page.locator(".wg-shift.shift").last.scroll_into_view_if_needed()
    await snap(page, "14-9-roster-multiday")
    stored = await live_store.roster.load()
    assert stored is not None and [s.weekdays for s in stored.shifts] == [(0, 1, 2, 3, 4)]
    week = {next_monday + timedelta(days=n) for n in range(5)}
    coming = {today + timedelta(days=n) for n in range(7)}
    assert await feed_days(live_server, live_store, anna) == week & coming

    # One edit: Friday off and an hour later, on every remaining day at once.
    await rows.get_by_role("link", name="Bewerken").click()
    await expect(page.get_by_label("vrijdag", exact=True)).to_be_checked()
    await assert_accessible(page)
    await snap(page, "14-9-roster-multiday-edit")
    await page.get_by_label("vrijdag", exact=True).uncheck()
    await page.get_by_label("Begin").fill("19:00")
    await page.get_by_role("button", name="Opslaan").click()
    await expect(page.get_by_role("status")).to_have_text("Dienst gewijzigd.")
    await expect(rows.locator("td").first).to_have_text(
        f"maandag t/m donderdag (vanaf {next_monday})")
    await expect(rows.locator("td").nth(1)).to_have_text("19:00–22:00")
    await page.goto(f"{page.url.split('?')[0]}?week={next_monday}")
    await expect(page.locator(".wg-shift.shift")).to_have_count(4)

    hours = (await availability(live_server))["opening_hours"]
    shown = {(row["day"], row["from"], row["to"]) for row in hours}
    expected = {(d.isoformat(), "19:00", "22:00") for d in week & coming if d.weekday() < 4}
    assert shown == expected
    assert await feed_days(live_server, live_store, anna) == {
        d for d in week & coming if d.weekday() < 4}
