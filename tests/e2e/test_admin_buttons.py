"""Admin buttons stay readable under the mouse: common/base.css's button:hover (a near-white
background) outweighed admin.css's own hover rules, so a hovered admin button showed white on
white. Every kind of admin button is hovered and checked with axe at 375x667 and 1280x800.
"""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from tests.e2e.conftest import SCREENSHOTS, SIZES
from tests.e2e.test_admin import Login, logged_in  # noqa: F401 - the fixture
from tests.e2e.test_widget import assert_accessible


async def assert_readable_hovered(page: Page, button: Locator, name: str) -> None:
    for width, height in SIZES:
        await page.set_viewport_size({"width": width, "height": height})
        await button.scroll_into_view_if_needed()
        await button.hover()
        colors = await button.evaluate(
            "b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
        assert colors[0] != colors[1], colors
        await assert_accessible(page)  # axe's contrast check reads the hovered colours
        await button.screenshot(path=SCREENSHOTS / f"admin-hover-{name}-{width}x{height}.png")


async def test_every_kind_of_admin_button_is_readable_while_hovered(
    logged_in: Login,  # noqa: F811
) -> None:
    page = await logged_in(start="/admin/settings")
    await assert_readable_hovered(page, page.get_by_role("button", name="Opslaan"), "plain")
    await assert_readable_hovered(page, page.get_by_role("button", name="Kopieer de code"),
                                  "button-class")
    await assert_readable_hovered(page, page.get_by_role("button", name="Uitloggen"), "quiet")

    await page.goto(page.url.replace("/admin/settings", "/shifts/"))
    await page.get_by_role("button", name="Agendalink maken").click()
    revoke = page.get_by_role("button", name="Link intrekken")
    await expect(revoke).to_be_visible()
    await assert_readable_hovered(page, revoke, "danger")
