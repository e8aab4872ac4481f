"""What an admin setting up meets (issue 14, points 7, 8, 11 and 12): the settings page shows
the exact embed code with a copy button and checks every allowed site live, a site that is not
allowed still shows the youth the helplines and is counted for the admin, contact hours are
edited as structured hours, and the first setup logs the admin in on a self-ticking checklist.
Chromium at 1280x800 and 375x667, axe clean, screenshots.
"""
from __future__ import annotations

import re

from playwright.async_api import Browser, expect

from helpchat.store import Store
from tests.e2e.conftest import SCREENSHOTS, SIZES, HostSite, LiveServer, snap
from tests.e2e.test_admin import (  # noqa: F401 - logged_in is the fixture
    Login,
    add_shift,
    availability,
    logged_in,
)
from tests.e2e.test_widget import LAUNCHER, assert_accessible

STRONG = "Blauwe-fiets-onder-de-regenboog-42"


async def test_settings_show_the_embed_code_a_live_check_and_refused_sites(
    logged_in: Login, live_server: LiveServer, host_site: HostSite, cross_site: HostSite,  # noqa: F811
    foreign_site: HostSite,
) -> None:
    tag = f'<script src="{live_server.url}/widget.js" data-lang="nl" async></script>'
    host_site.page(tag, path="/")  # the organization's home page carries the code
    # A youth on a site that is not in widget_origins: the helplines, not an outage.
    page = await logged_in(start="/admin/settings")
    youth = await page.context.new_page()
    await youth.goto(foreign_site.page(tag))
    await youth.get_by_role("button", name=LAUNCHER).click()
    fallback = youth.locator("helpchat-widget .fallback")
    await expect(fallback.locator("li").first).to_contain_text("112")
    await youth.close()

    await page.context.grant_permissions(["clipboard-read", "clipboard-write"],
                                         origin=live_server.url)
    await page.reload()
    code = page.get_by_label("Code voor je website")
    await expect(code).to_have_value(tag)
    await page.get_by_role("button", name="Kopieer de code").click()
    await expect(page.get_by_role("button", name="Gekopieerd")).to_be_visible()
    assert await page.evaluate("navigator.clipboard.readText()") == tag

    checks = page.locator(".embed-checks li")
    await expect(checks.filter(has_text=host_site.origin)).to_contain_text(
        "de code staat op de startpagina")
    await expect(checks.filter(has_text=cross_site.origin)).to_contain_text(
        "de code staat niet op de startpagina")
    refused = page.locator("table.refused tbody tr")
    await expect(refused).to_have_count(1)
    await expect(refused.first).to_have_text(re.compile(
        re.escape(foreign_site.origin) + r"\s*1"))
    await assert_accessible(page)
    await page.get_by_role("heading", name="De chat op je website").scroll_into_view_if_needed()
    await snap(page, "14-12-settings-embed")


async def test_contact_hours_are_set_as_days_and_times(
    logged_in: Login, live_server: LiveServer,  # noqa: F811
) -> None:
    page = await logged_in(start="/admin/contacts")
    await page.get_by_role("link", name=re.compile("De Kindertelefoon bewerken")).click()
    hours = page.get_by_role("group", name="Wanneer bereikbaar")
    await expect(hours.get_by_label("Op vaste tijden")).to_be_checked()
    await expect(hours.get_by_label("Van")).to_have_value("11:00")
    await hours.get_by_label("zaterdag").uncheck()
    await hours.get_by_label("zondag").uncheck()
    await hours.get_by_label("Tot").fill("")
    await page.get_by_role("button", name="Opslaan").click()
    await expect(page.get_by_text("Vul een eindtijd in als uu:mm")).to_be_visible()
    await assert_accessible(page)
    for width, height in SIZES:
        await page.set_viewport_size({"width": width, "height": height})
        await page.locator(".open-hours").screenshot(
            path=SCREENSHOTS / f"14-7-admin-contact-hours-error-{width}x{height}.png")
    await hours.get_by_label("Tot").fill("17:00")
    await page.get_by_role("button", name="Opslaan").click()
    await expect(page.get_by_role("status")).to_contain_text("gewijzigd")
    contacts = (await availability(live_server))["contacts"]
    changed = next(c for c in contacts if c["name"] == "De Kindertelefoon")
    assert changed["open"] == {"days": [0, 1, 2, 3, 4], "from": "11:00", "to": "17:00"}


async def test_first_setup_logs_the_admin_in_on_a_checklist_that_ticks_itself_off(
    browser: Browser, live_server: LiveServer, live_store: Store, host_site: HostSite,
) -> None:
    token = await live_store.invites.create("", "setup")
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    context.set_default_timeout(10_000)
    try:
        page = await context.new_page()
        await page.goto(f"{live_server.url}/setup/{token}")
        await page.get_by_label("Gebruikersnaam").fill("Beheer")
        await page.get_by_label("Wachtwoord", exact=True).fill(STRONG)
        await page.get_by_label("Wachtwoord nog een keer").fill(STRONG)
        await page.get_by_role("button", name="Beheerder aanmaken").click()

        await page.wait_for_url(re.compile(r"/admin/\?notice="))
        await expect(page.get_by_role("status")).to_have_text(
            "Je beheerdersaccount is aangemaakt en je bent ingelogd.")
        checklist = page.get_by_role("region", name="Zo is de chat klaar voor gebruik")
        await expect(checklist).to_contain_text("0 van de 4 stappen gedaan")
        await expect(page.get_by_role("link", name="Overzicht")).to_have_attribute(
            "aria-current", "page")
        await assert_accessible(page)
        await snap(page, "14-11-admin-home-after-setup")

        await page.get_by_role("link", name="Noodcontacten controleren").click()
        await page.get_by_role("button", name=re.compile("^Gecontroleerd")).click()
        await expect(page.get_by_role("status")).to_contain_text("gecontroleerd")
        youth = await context.new_page()  # the widget opened once on the organization's site
        await youth.goto(host_site.page(
            f'<script src="{live_server.url}/widget.js" async></script>'))
        await youth.get_by_role("button", name=LAUNCHER).click()
        await expect(youth.frame_locator("helpchat-widget iframe").get_by_role(
            "button", name="Snel weg")).to_be_visible()
        await youth.close()

        await page.get_by_role("link", name="Overzicht").click()
        await expect(checklist).to_contain_text("2 van de 4 stappen gedaan")
        done = checklist.locator("li.done")
        await expect(done).to_have_count(2)
        await expect(done.first).to_contain_text("Noodcontacten controleren")
        await expect(done.nth(1)).to_contain_text("De chat op je website zetten")
        await assert_accessible(page)
        await snap(page, "14-11-admin-home-two-done")

        # The other two: a first counselor invited, a first shift on the roster.
        await checklist.get_by_role("link", name="De eerste hulpverlener uitnodigen").click()
        await page.get_by_label("Gebruikersnaam").fill("sanne")
        await page.get_by_label("Naam voor bezoekers").fill("Sanne (vrijwilliger)")
        await page.get_by_role("button", name="Account aanmaken en link maken").click()
        await expect(page.get_by_label("Eenmalige link (48 uur geldig)")).to_have_value(
            re.compile("/invite/"))
        await page.get_by_role("link", name="Overzicht").click()
        await expect(checklist).to_contain_text("3 van de 4 stappen gedaan")
        await checklist.get_by_role("link", name="Het rooster instellen").click()
        await add_shift(page, {"weekday": "2", "start": "18:00", "end": "22:00"}, "sanne")
        await page.get_by_role("link", name="Overzicht").click()
        await expect(checklist).to_contain_text("4 van de 4 stappen gedaan")
        await expect(checklist.locator("li.done")).to_have_count(4)
        await assert_accessible(page)
        await snap(page, "14-11-admin-home-all-done")
    finally:
        await context.close()
