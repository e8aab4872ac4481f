"""The Insights page in Chromium on a seeded month: the charts draw under the admin CSP, axe
finds nothing serious, the totals on the page are the seeded ones, and screenshots of it land
next to the others."""

from __future__ import annotations

from datetime import date, datetime

from playwright.async_api import expect

from helpchat.store import Store
from tests.e2e.conftest import SCREENSHOTS, LiveServer, axe_violations, snap
from tests.e2e.test_admin import Login, logged_in  # noqa: F401 - the fixture
from tests.insights_helpers import ZONE, seed_days, seed_wrapups


async def test_insights_page_of_a_seeded_month_draws_its_charts_and_passes_axe(
    logged_in: Login, live_server: LiveServer, live_store: Store,  # noqa: F811
) -> None:
    totals = await seed_days(live_store, date(2026, 11, 1), 30)
    await seed_wrapups(live_store, int(datetime(2026, 11, 15, tzinfo=ZONE).timestamp() * 1000),
                       80)
    page = await logged_in("inzicht", "supervisor", start="/shifts/")
    await page.goto(f"{live_server.url}/admin/insights?period=month&month=2026-11")
    await expect(page.get_by_role("heading", name="Inzicht", exact=True)).to_be_visible()
    for name in ("offered", "answered", "turned_away"):
        await expect(page.locator(f'[data-figure="{name}"]')).to_have_text(str(totals[name]))
    for chart in ("chart-weeks", "chart-wait", "chart-coverage"):
        drawn = await page.evaluate(
            "id => !!(window.Chart && window.Chart.getChart(document.getElementById(id)))", chart)
        assert drawn, chart
    await expect(page.locator("#worst-hours li")).to_have_count(5)
    assert await axe_violations(page) == []
    await snap(page, "admin-insights-month")
    await page.screenshot(path=SCREENSHOTS / "admin-insights-month-full.png", full_page=True)
