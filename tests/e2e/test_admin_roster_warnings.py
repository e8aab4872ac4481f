"""The roster page warns when one person is in two shifts at once (issue 14, point 9, the
overlap warning only). Chromium at 1280x800 and 375x667, axe clean, screenshots."""

from __future__ import annotations

from datetime import timedelta

from playwright.async_api import expect

from helpchat.roster import Roster, Shift, validate_shift_times
from helpchat.store import Store
from tests.e2e.conftest import snap
from tests.e2e.test_admin import Login, add_shift, logged_in  # noqa: F401 - the fixture
from tests.e2e.test_widget import assert_accessible
from tests.roster_helpers import local_now
from tests.support import add_account


async def test_one_person_in_two_shifts_at_once_is_named_on_the_roster(
    logged_in: Login, live_store: Store,  # noqa: F811
) -> None:
    anna = await add_account(live_store, "Anna")
    begin, end = validate_shift_times("18:00", "22:00")

    def with_evening(roster: Roster) -> tuple[Roster, None]:
        return Roster(shifts=(Shift("evening", (0,), begin, end, (anna,), "Avond"),)), None

    await live_store.roster.update(with_evening)
    page = await logged_in(start="/admin/roster")
    # Next week: a shift added today is valid from today, so this week's Monday may be past.
    today = local_now().date()
    monday = today + timedelta(days=7 - today.weekday())
    await page.goto(f"{page.url.split('?')[0]}?week={monday}")
    await expect(page.get_by_role("heading", name="Dubbel ingeroosterd")).to_have_count(0)

    await add_shift(page, {"weekday": "0", "start": "21:00", "end": "23:30"}, "Anna")
    warning = page.locator(".double-booked li")
    await expect(warning).to_have_count(1)
    await expect(warning).to_have_text(
        "Anna staat op maandag tegelijk in 18:00–22:00 Avond en in 21:00–23:30: "
        "één persoon kan maar één dienst draaien.")
    await assert_accessible(page)
    await warning.scroll_into_view_if_needed()
    await snap(page, "14-9-roster-double-booked")
