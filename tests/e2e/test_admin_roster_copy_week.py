"""Copying a week (issue 14, point 9): a week's extra shifts put in the next weeks from the
roster page, once. Chromium at 1280x800 and 375x667, axe clean, screenshots."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import expect

from helpchat.roster import ExtraShift, Roster, validate_shift_times
from helpchat.store import Store
from tests.e2e.conftest import snap
from tests.e2e.test_admin import Login, logged_in  # noqa: F401 - the fixture
from tests.e2e.test_widget import assert_accessible
from tests.roster_helpers import local_now
from tests.support import add_account


async def test_copy_week_puts_the_extra_night_shift_in_the_next_two_weeks(
    logged_in: Login, live_store: Store,  # noqa: F811
) -> None:
    anna = await add_account(live_store, "Anna")
    today = local_now().date()
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)  # next week
    begin, end = validate_shift_times("22:00", "02:00")

    def with_night(roster: Roster) -> tuple[Roster, None]:
        night = ExtraShift("night", monday + timedelta(days=2), begin, end, (anna,), "Nacht")
        return Roster(extra_shifts=(night,)), None

    await live_store.roster.update(with_night)
    page = await logged_in(start=f"/admin/roster?week={monday}")
    await expect(page.locator(".wg-shift.extra")).to_have_count(2)  # split at midnight
    form = page.locator("#copy-week")
    await form.get_by_label("Aantal weken").fill("2")
    await assert_accessible(page)
    await form.get_by_role("button", name="Week kopiëren").click()
    await expect(page.get_by_role("status")).to_have_text("Extra diensten gekopieerd.")
    await expect(page.locator("#extra-shifts li")).to_have_count(3)
    await assert_accessible(page)
    await snap(page, "14-9-roster-copy-week")

    later = monday + timedelta(days=14)
    await page.goto(f"{page.url.split('?')[0]}?week={later}")
    await expect(page.locator(".wg-shift.extra")).to_have_count(2)  # split at midnight

    # Copying the same week again adds nothing and says so.
    await page.goto(f"{page.url.split('?')[0]}?week={monday}")
    await page.locator("#copy-week").get_by_label("Aantal weken").fill("2")
    await page.locator("#copy-week").get_by_role("button", name="Week kopiëren").click()
    await expect(page.get_by_role("status")).to_contain_text("Niets gekopieerd")
    await expect(page.locator("#extra-shifts li")).to_have_count(3)
