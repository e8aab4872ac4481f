"""The admin pages in Chromium against the real server process (issue 5): the roster drives
availability, contacts edits reach the widget, disabling drops a counselor's socket, settings
apply on another process without a restart, and My shifts hands out a working iCal feed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import icalendar
import pytest_asyncio
from playwright.async_api import Browser, Dialog, FrameLocator, Page, expect

from helpchat.store import Store
from helpchat.store.sessions import Block
from tests.e2e.conftest import (
    SCREENSHOTS,
    CounselorFactory,
    HostSite,
    LiveServer,
    LiveServerFactory,
    axe_violations,
    snap,
)
from tests.roster_helpers import local_now, shift_around, shift_in_two_days
from tests.support import PASSWORD, add_account, eventually, visitor

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
Login = Callable[..., Awaitable[Page]]


@pytest_asyncio.fixture(loop_scope="session")
async def logged_in(browser: Browser, live_server: LiveServer,
                    live_store: Store) -> AsyncIterator[Login]:
    """A browser of its own for an account made in Redis, logged in through the login page."""
    contexts = []

    async def open_page(name: str = "beheer", role: str = "admin",
                        start: str = "/admin/roster") -> Page:
        await add_account(live_store, name, role)
        context = await browser.new_context(viewport={"width": 1280, "height": 800},
                                            locale="nl-NL")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", accept)
        await page.goto(f"{live_server.url}/login?next={start}")
        await page.get_by_label("Gebruikersnaam").fill(name)
        await page.get_by_label("Wachtwoord").fill(PASSWORD)
        await page.get_by_role("button", name="Inloggen").click()
        await page.wait_for_url(f"**{start}")
        page.errors = errors  # type: ignore[attr-defined]
        return page

    yield open_page
    for context in contexts:
        for page in context.pages:
            assert not page.errors, page.errors  # type: ignore[attr-defined]
        await context.close()


def embed_page(site: HostSite, server: LiveServer) -> str:
    """An organization's page on another origin with the widget's loader on it."""
    return site.page(f'<script src="{server.url}/widget.js" data-lang="nl" async></script>')


async def open_widget(page: Page, url: str) -> FrameLocator:
    await page.goto(url)
    await page.get_by_role("button", name=re.compile("chat", re.IGNORECASE)).click()
    return page.frame_locator("helpchat-widget iframe")


async def accept(dialog: Dialog) -> None:
    await dialog.accept()  # the "are you sure?" of remove and disable buttons


async def availability(server: LiveServer, lang: str = "nl") -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(
            f"{server.url}/api/availability?lang={lang}") as response:
        result: dict[str, Any] = await response.json()
        return result


async def add_shift(page: Page, fields: dict[str, str], *who: str) -> None:
    form = page.locator("#add-shift")
    await form.get_by_label(WEEKDAYS[int(fields["weekday"])], exact=True).check()
    await form.get_by_label("Begin").fill(fields["start"])
    await form.get_by_label("Einde").fill(fields["end"])
    if "valid_from" in fields:
        await form.get_by_label("Geldig vanaf").fill(fields["valid_from"])
    for name in who:
        await form.get_by_label(name, exact=True).check()
    await form.get_by_role("button", name="Dienst toevoegen").click()
    await expect(page.get_by_role("status")).to_have_text("Dienst toegevoegd.")


async def test_roster_shift_opens_the_chat_with_a_counselor_and_removal_closes_it(
    logged_in: Login, live_server: LiveServer, counselors: CounselorFactory, host_site: HostSite,
    page: Page
) -> None:
    admin = await logged_in()
    anna = await counselors("Anna", on_duty=False)
    await admin.reload()
    later, opens = shift_in_two_days(local_now())
    await add_shift(admin, later)
    closed = await availability(live_server)
    assert closed["reason"] == "closed"
    assert datetime.fromisoformat(closed["next_open_at"]) == opens

    now = shift_around(local_now(), timedelta(hours=1), timedelta(hours=2))
    await add_shift(admin, now, "Anna")
    assert (await availability(live_server))["reason"] == "no_counselor"
    await anna.call("set_duty", {"on": True})
    assert (await availability(live_server))["available"] is True
    widget = await open_widget(page, embed_page(host_site, live_server))
    await expect(widget.get_by_role("heading", name="Praat met een hulpverlener")).to_be_visible()

    grid = admin.locator("#week-grid")
    await expect(grid.locator(".wg-shift", has_text="Anna").first).to_be_visible()
    await expect(admin.locator(".badge.open")).to_have_text("Nu open")
    await admin.screenshot(path=SCREENSHOTS / "admin-roster-week-1280.png", full_page=True)
    await snap(admin, "admin-roster")

    row = admin.locator("table.data tr", has_text=f"{now['start']}–{now['end']}")
    await row.get_by_role("button", name="Verwijderen").click()
    await expect(admin.get_by_role("status")).to_have_text("Dienst verwijderd.")
    again = await availability(live_server)
    assert again["available"] is False and again["reason"] == "closed"
    assert datetime.fromisoformat(again["next_open_at"]) == opens
    await expect(widget.locator("#view-unavailable")).to_be_visible()
    await expect(admin.locator(".badge.closed")).to_have_text("Nu gesloten")


async def test_edited_emergency_contact_shows_in_the_open_widget_and_availability(
    logged_in: Login, live_server: LiveServer, host_site: HostSite, page: Page
) -> None:
    widget = await open_widget(page, embed_page(host_site, live_server))
    first = widget.locator("#view-unavailable .contact").first
    await expect(first).to_contain_text("Alarmnummer 112")

    admin = await logged_in(start="/admin/contacts")
    await admin.locator(".contact-admin-list li", has_text="Alarmnummer 112") \
        .get_by_role("link", name="Bewerken").click()
    await admin.get_by_label("Naam").fill("Noodnummer 112 (politie, brandweer, ambulance)")
    await admin.get_by_label("Telefoon").fill("bel maar")
    await admin.get_by_role("button", name="Opslaan").click()
    await expect(admin.locator("#err-phone")).to_contain_text("alleen cijfers")
    assert (await availability(live_server))["contacts"][0]["name"] == "Alarmnummer 112"
    await admin.get_by_label("Telefoon").fill("112")
    await admin.get_by_role("button", name="Opslaan").click()
    await expect(admin.get_by_role("status")).to_have_text("Contact gewijzigd.")

    name = "Noodnummer 112 (politie, brandweer, ambulance)"
    assert (await availability(live_server))["contacts"][0]["name"] == name
    await expect(first).to_contain_text(name)  # pushed to the open widget, no reload
    preview = admin.frame_locator("iframe.contacts-preview")
    await expect(preview.locator(".contact").first).to_contain_text(name)
    await expect(preview.locator("a[href='tel:112']")).to_be_visible()
    await snap(admin, "admin-contacts-preview")


async def test_disabling_a_counselor_drops_their_open_console_socket(
    logged_in: Login, live_server: LiveServer, counselors: CounselorFactory
) -> None:
    anna = await counselors("Anna")
    assert (await availability(live_server))["available"] is True
    admin = await logged_in(start="/admin/counselors")
    await admin.locator("table.data tr", has_text="Anna").get_by_role("link", name="Bewerken") \
        .click()
    await admin.get_by_role("button", name="Account blokkeren").click()
    await expect(admin.get_by_role("status")).to_contain_text("geblokkeerd")

    async def dropped() -> bool:
        return not anna.client.sio.connected

    await eventually(dropped, timeout=5)
    assert (await availability(live_server))["reason"] == "no_counselor"
    await admin.goto(f"{live_server.url}/admin/audit")
    await expect(admin.locator("table.audit tbody tr").first).to_contain_text("account geblokkeerd")


async def test_settings_change_applies_on_another_process_without_restart(
    logged_in: Login, start_live_server: LiveServerFactory
) -> None:
    other = await start_live_server()
    partner = "https://partner.example"

    async def partner_connects() -> bool:
        try:
            client, _ = await visitor(other.url, headers={"Origin": partner})
        except Exception:  # noqa: BLE001 - refused connections raise ConnectionError
            return False
        await client.close()
        return True

    assert not await partner_connects()
    admin = await logged_in(start="/admin/settings")
    origins = admin.get_by_label("Websites waarop de chat mag staan")
    await origins.fill((await origins.input_value()) + "\n" + partner)
    await admin.get_by_role("button", name="Opslaan").click()
    await expect(admin.get_by_role("status")).to_have_text("Opgeslagen.")
    await eventually(partner_connects, timeout=5)
    await snap(admin, "admin-settings")


async def test_my_shifts_feed_link_parses_as_icalendar(
    logged_in: Login, live_server: LiveServer, live_store: Store
) -> None:
    counselor = await logged_in("Bram", role="counselor", start="/shifts/")
    bram = await live_store.counselors.by_name("Bram")
    assert bram is not None
    admin = await logged_in()
    tomorrow = (local_now() + timedelta(days=1)).date()
    await add_shift(admin, {"weekday": str(tomorrow.weekday()), "start": "18:00",
                            "end": "21:00"}, "Bram")
    await counselor.reload()
    await expect(counselor.locator("table.data tbody tr").first).to_contain_text("18:00–21:00")
    await counselor.get_by_role("button", name="Agendalink maken").click()
    link = await counselor.locator("#feed-link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/shifts/feed/{bram.id}/[\w-]+\.ics", link)
    async with aiohttp.ClientSession() as http, http.get(link) as response:
        parsed = icalendar.Calendar.from_ical(await response.text())
    events = list(parsed.walk("VEVENT"))
    assert events and all(e.decoded("DTEND") - e.decoded("DTSTART") == timedelta(hours=3)
                          for e in events)
    await snap(counselor, "my-shifts")


async def test_admin_sees_active_blocks_and_lifts_one(
    logged_in: Login, live_store: Store
) -> None:
    now_ms = int(datetime.now().timestamp() * 1000)
    vid = "ab" * 32
    await live_store.sessions.block(Block(vid, "K7QZ", now_ms, "c" * 32, "anna",
                                          "scheldwoorden", now_ms + 3_600_000))
    await live_store.sessions.block(Block("cd" * 32, "M2XW", now_ms - 7_200_000, "c" * 32,
                                          "bob", "verlopen", now_ms - 1))  # already over
    page = await logged_in(start="/admin/blocks")
    row = page.get_by_role("row", name=re.compile("Bezoeker K7QZ"))
    await expect(row).to_contain_text("anna")
    await expect(row).to_contain_text("scheldwoorden")
    until = datetime.fromtimestamp(now_ms / 1000 + 3600, local_now().tzinfo)
    await expect(row).to_contain_text(f"{until:%H:%M}")
    await expect(page.get_by_text("M2XW")).to_have_count(0)
    assert await axe_violations(page) == []
    await snap(page, "admin-blocks")
    await row.get_by_role("button", name="Blokkade van Bezoeker K7QZ opheffen").click()
    await expect(page.get_by_role("status")).to_contain_text("Blokkade opgeheven")
    await expect(page.get_by_text("Er zijn nu geen blokkades.")).to_be_visible()
    assert await live_store.sessions.blocks(now_ms) == []
    await page.goto(page.url.split("/admin/")[0] + "/admin/audit")
    await expect(page.get_by_role("row", name=re.compile("blokkade opgeheven"))).to_contain_text(
        "Visitor K7QZ")
