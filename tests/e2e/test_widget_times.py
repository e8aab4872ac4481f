"""Times and helplines as the roster means them (issue 14, points 6 and 7): a phone on another
time zone sees the roster's hours, labelled; helplines with structured hours are marked open or
"nu gesloten, open om 11:00", open ones first. Chromium with a fixed clock at 375x667 and
1280x800, axe clean, screenshots in test-output/screenshots/.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, WebSocketRoute, expect

from tests.e2e.conftest import SCREENSHOTS, HostSite, LiveServer, snap
from tests.e2e.test_widget import assert_accessible, chat_frame, embed_page, open_widget

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


async def phone_in(browser: Browser, zone: str, now: datetime) -> BrowserContext:
    context = await browser.new_context(viewport={"width": 375, "height": 667},
                                        locale="nl-NL", timezone_id=zone)
    context.set_default_timeout(10_000)
    await context.clock.set_fixed_time(now)
    return context


async def closed_until(context: BrowserContext, opens: datetime) -> None:
    """The roster decides "closed"; here the server's availability is rewritten on the wire."""
    closed = {
        "available": False, "reason": "closed", "next_open_at": opens.isoformat(),
        "opening_hours": [{"day": opens.date().isoformat(), "from": "17:00", "to": "22:00"}],
    }

    def rewrite(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_server(message: str | bytes) -> None:
            found = re.match(r'^42/visitor,\["availability",(.*)\]$', str(message))
            if found:
                message = "42/visitor," + json.dumps(["availability",
                                                      {**json.loads(found.group(1)), **closed}])
            ws.send(message)

        server.on_message(from_server)

    await context.route_web_socket(re.compile(r"/socket\.io/"), rewrite)


@pytest_asyncio.fixture(loop_scope="session")
async def contexts(browser: Browser) -> AsyncIterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        await context.close()


async def contact_texts(page: Page) -> list[Any]:
    frame = await chat_frame(page)
    return await frame.evaluate("""() => Array.from(
        document.querySelectorAll("#view-unavailable .contact"),
        li => [li.querySelector(".contact-name").firstChild.textContent,
               li.querySelector(".contact-state")?.textContent ?? null])""")


async def test_a_phone_on_new_york_time_sees_the_rosters_times_labelled(
    browser: Browser, contexts: list[BrowserContext], live_server: LiveServer,
    host_site: HostSite,
) -> None:
    # 23:30 in Amsterdam is 17:30 the same day in New York.
    now = datetime(2026, 12, 1, 23, 30, tzinfo=AMSTERDAM)
    context = await phone_in(browser, "America/New_York", now)
    contexts.append(context)
    await closed_until(context, datetime(2026, 12, 2, 17, 0, tzinfo=AMSTERDAM))
    page = await context.new_page()
    widget = await open_widget(page, embed_page(host_site, live_server))

    await expect(widget.get_by_role("heading", name="We zijn nu gesloten")).to_be_visible()
    await expect(widget.locator("#unavailable-next")).to_have_text("Weer open: morgen om 17:00.")
    await expect(widget.locator("#hours-list li")).to_have_text(["morgen: 17:00 – 22:00"])
    await expect(widget.locator("#unavailable-zone")).to_have_text(
        re.compile(r"^Alle tijden zijn in Midden-Europese"))

    # De Kindertelefoon (11:00-21:00) is closed at 23:30: marked, and after the open ones.
    shown = await contact_texts(page)
    assert shown[-1][0] == "De Kindertelefoon", shown
    assert shown[-1][1].startswith("Nu gesloten, open morgen om 11:00"), shown
    assert [name for name, _ in shown[:2]] == ["Alarmnummer 112", "113 Zelfmoordpreventie"]
    closed = widget.locator("#view-unavailable .contact-closed")
    await expect(closed).to_have_count(1)
    await assert_accessible(await chat_frame(page))
    await snap(page, "14-6-closed-other-zone")
    await closed.screenshot(path=SCREENSHOTS / "14-7-helpline-closed-at-night.png")


async def test_in_the_morning_a_helpline_opens_today_and_at_noon_it_is_open(
    browser: Browser, contexts: list[BrowserContext], live_server: LiveServer,
    host_site: HostSite,
) -> None:
    morning = datetime(2026, 12, 1, 8, 15, tzinfo=AMSTERDAM)
    context = await phone_in(browser, "Europe/Amsterdam", morning)
    contexts.append(context)
    await closed_until(context, datetime(2026, 12, 1, 17, 0, tzinfo=AMSTERDAM))
    page = await context.new_page()
    widget = await open_widget(page, embed_page(host_site, live_server))

    await expect(widget.locator("#unavailable-next")).to_have_text("Weer open: vandaag om 17:00.")
    await expect(widget.locator("#unavailable-zone")).to_be_hidden()  # the phone's zone
    shown = await contact_texts(page)
    assert shown[-1] == ["De Kindertelefoon", "Nu gesloten, open om 11:00"], shown
    closed = widget.locator("#view-unavailable .contact-closed")
    # The screenshots show the marked helpline (scrolled in the page's own turn: a push that
    # draws the list anew cannot detach it halfway).
    await closed.evaluate("el => el.scrollIntoView({block: 'nearest'})")
    await snap(page, "14-7-helpline-closed-morning")

    await context.clock.set_fixed_time(datetime(2026, 12, 1, 12, 0, tzinfo=AMSTERDAM))
    await page.reload()
    await page.get_by_role("button", name=re.compile("chat", re.I)).click()
    await expect(widget.locator("#view-unavailable .contact-closed")).to_have_count(0)
    helpline = widget.locator("#view-unavailable .contact").nth(2)
    await expect(helpline).to_contain_text("De KindertelefoonNu open")  # its configured place
    await helpline.evaluate("el => el.scrollIntoView({block: 'nearest'})")
    await assert_accessible(await chat_frame(page))
    await snap(page, "14-7-helpline-open-noon")


async def test_on_a_site_not_allowed_the_loaders_helplines_are_marked_and_sorted_too(
    browser: Browser, contexts: list[BrowserContext], live_server: LiveServer,
    foreign_site: HostSite,
) -> None:
    # The loader's own list (the site is not in widget_origins, or the server is down) follows
    # the same hours, at 320 px with a long title on a phone on New York time.
    context = await phone_in(browser, "America/New_York",
                             datetime(2026, 12, 1, 23, 30, tzinfo=AMSTERDAM))
    contexts.append(context)
    page = await context.new_page()
    await page.set_viewport_size({"width": 320, "height": 568})
    title = "Praat anoniem met een hulpverlener van Jeugdhulp Voorbeeld"
    await page.goto(foreign_site.page(
        f'<script src="{live_server.url}/widget.js" data-title="{title}" async></script>'))
    await page.get_by_role("button", name=re.compile("chat", re.I)).click()
    fallback = page.locator("helpchat-widget .fallback")
    names = fallback.locator("li .name")
    await expect(names.last).to_have_text("De Kindertelefoon")
    await expect(fallback.locator("li").last.locator(".shut")).to_have_text(
        "Nu gesloten, open morgen om 11:00 (Midden-Europese standaardtijd)")
    await expect(names.first).to_have_text("Alarmnummer 112")
    await expect(fallback.locator(".shut")).to_have_count(1)

    bar = await fallback.locator(".bar").evaluate("""bar => {
        const parts = [...bar.children].map(c => c.getBoundingClientRect());
        const middles = parts.map(r => r.top + r.height / 2);
        return {height: bar.getBoundingClientRect().height,
                spread: Math.max(...middles) - Math.min(...middles),
                right: Math.max(...parts.map(r => r.right)), width: innerWidth};
    }""")
    assert bar["height"] <= 56 and bar["spread"] <= 4 and bar["right"] <= bar["width"], bar

    exit_button = fallback.get_by_role("button", name="Snel weg")
    await page.keyboard.press("Tab")  # from the heading the panel focuses
    await expect(exit_button).to_be_focused()
    await fallback.locator("a[href]").last.focus()
    await page.keyboard.press("Tab")
    await expect(exit_button).to_be_focused()  # round, not off to the host page
    await assert_accessible(page)
    await page.screenshot(path=SCREENSHOTS / "14-7-loader-helplines-320x568.png")
    await fallback.locator("li").last.scroll_into_view_if_needed()
    await expect(exit_button).to_be_in_viewport()  # the bar stays while the list scrolls
    await snap(page, "14-7-loader-helpline-closed")
