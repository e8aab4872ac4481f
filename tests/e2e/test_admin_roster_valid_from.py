"""A weekly shift valid from a date (issue 14, point 9): the add form starts a new pattern
today, and one set to start next week is not drawn into this week's grid. Chromium at
1280x800 and 375x667, axe clean, screenshots."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import expect

from helpchat.store import Store
from tests.e2e.conftest import snap
from tests.e2e.test_admin import WEEKDAYS, Login, logged_in  # noqa: F401 - the fixture
from tests.e2e.test_widget import assert_accessible
from tests.roster_helpers import local_now
from tests.support import add_account


async def test_a_shift_valid_from_next_monday_is_drawn_from_next_week_on(
    logged_in: Login, live_store: Store,  # noqa: F811
) -> None:
    await add_account(live_store, "Anna")
    today = local_now().date()
    this_monday = today - timedelta(days=today.weekday())
    next_monday = this_monday + timedelta(days=7)
    page = await logged_in(start="/admin/roster")

    form = page.locator("#add-shift")
    since = form.get_by_label("Geldig vanaf")
    await expect(since).to_have_value(today.isoformat())  # by default: from today
    await form.get_by_label(WEEKDAYS[0], exact=True).check()
    await form.get_by_label("Begin").fill("18:00")
    await form.get_by_label("Einde").fill("22:00")
    await form.get_by_label("Anna", exact=True).check()
    await since.fill(next_monday.isoformat())
    await form.get_by_role("button", name="Dienst toevoegen").click()
    await expect(page.get_by_role("status")).to_have_text("Dienst toegevoegd.")

    row = page.locator("#shifts-title ~ table tbody tr")
    await expect(row).to_have_count(1)
    await expect(row.locator("td").first).to_have_text(f"maandag (vanaf {next_monday})")
    await expect(page.locator(".wg-shift.shift")).to_have_count(0)  # not this week
    await assert_accessible(page)

    await page.goto(f"{page.url.split('?')[0]}?week={next_monday}")
    await expect(page.locator(".wg-shift.shift")).to_have_count(1)
    await assert_accessible(page)
    await snap(page, "14-9-roster-valid-from")

    # The edit page shows the date and keeps it when the shift is saved again.
    await row.get_by_role("link", name="Bewerken").click()
    await expect(page.get_by_label("Geldig vanaf")).to_have_value(next_monday.isoformat())
    await assert_accessible(page)
    await page.get_by_role("button", name="Opslaan").click()
    await expect(page.get_by_role("status")).to_have_text("Dienst gewijzigd.")
    saved = await live_store.roster.load()
    assert saved is not None and [s.valid_from for s in saved.shifts] == [next_monday]
