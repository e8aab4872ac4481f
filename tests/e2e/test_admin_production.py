"""The settings page of a production server (issue 14, point 13): the quick-exit address must
be https://, refused next to the field with nothing saved. Chromium at 1280x800 and 375x667,
axe clean, screenshots in test-output/screenshots/.
"""

from __future__ import annotations

import re

import pyotp
from playwright.async_api import Browser, expect

from helpchat.store import Store
from tests.e2e.conftest import SCREENSHOTS, SIZES, LiveServerFactory, snap
from tests.e2e.test_admin_setup import STRONG
from tests.e2e.test_widget import assert_accessible
from tests.support import PASSWORD, add_account

PRODUCTION = {
    "HELPCHAT_ENVIRONMENT": "production",
    "HELPCHAT_DEMO_ENABLED": "false",
    "HELPCHAT_QUICK_EXIT_URL": "https://www.example.org/",
    # Two-factor for admins (the production default) is not what this test is about.
    "HELPCHAT_ADMIN_TWO_FACTOR_REQUIRED": "false",
}


async def test_production_settings_refuse_a_plain_http_quick_exit_address(
    browser: Browser, start_live_server: LiveServerFactory, live_store: Store,
) -> None:
    server = await start_live_server(**PRODUCTION)
    await add_account(live_store, "beheer", "admin")
    # Chromium keeps the Secure __Host- cookie on http://127.0.0.1 (a trustworthy origin).
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    context.set_default_timeout(10_000)
    try:
        page = await context.new_page()
        await page.goto(f"{server.url}/login?next=/admin/settings")
        await page.get_by_label("Gebruikersnaam").fill("beheer")
        await page.get_by_label("Wachtwoord").fill(PASSWORD)
        await page.get_by_role("button", name="Inloggen").click()
        await page.wait_for_url("**/admin/settings")

        address = page.get_by_label("Snel-weg-adres")
        await address.fill("http://www.example.org/")
        await page.get_by_role("button", name="Opslaan", exact=True).click()
        await expect(page.locator("#err-quick_exit_url")).to_have_text(
            "Vul een volledig adres in dat begint met https://")
        await expect(address).to_have_attribute("aria-invalid", "true")
        await assert_accessible(page)
        await snap(page, "14-13-production-quick-exit-http-refused")
        field = page.locator(".field").filter(has=address)
        for width, height in SIZES:  # the refused field itself at both sizes
            await page.set_viewport_size({"width": width, "height": height})
            await field.screenshot(
                path=SCREENSHOTS / f"14-13-quick-exit-field-refused-{width}x{height}.png")

        await page.goto(f"{server.url}/admin/settings")
        await expect(address).to_have_value("https://www.example.org/")  # nothing was saved
        await address.fill("https://www.example.org/weg")
        await page.get_by_role("button", name="Opslaan", exact=True).click()
        await expect(page.get_by_role("status")).to_have_text("Opgeslagen.")
        await expect(address).to_have_value("https://www.example.org/weg")
    finally:
        await context.close()


async def test_first_setup_in_production_sets_up_two_factor_then_lands_on_admin(
    browser: Browser, start_live_server: LiveServerFactory, live_store: Store,
) -> None:
    # Point 11 as a production server does it: admins must have two-factor login, so the new
    # admin, logged in by the setup link, sets it up first and then lands on Admin.
    server = await start_live_server(**{**PRODUCTION, "HELPCHAT_ADMIN_TWO_FACTOR_REQUIRED": "true"})
    token = await live_store.invites.create("", "setup")
    context = await browser.new_context(viewport={"width": 375, "height": 667}, locale="nl-NL")
    context.set_default_timeout(10_000)
    try:
        page = await context.new_page()
        await page.goto(f"{server.url}/setup/{token}")
        await page.get_by_label("Gebruikersnaam").fill("Beheer")
        await page.get_by_label("Wachtwoord", exact=True).fill(STRONG)
        await page.get_by_label("Wachtwoord nog een keer").fill(STRONG)
        await page.get_by_role("button", name="Beheerder aanmaken").click()

        await page.wait_for_url(re.compile(r"/account/two-factor"))
        await assert_accessible(page)
        await snap(page, "14-11-production-two-factor-first")
        secret = (await page.locator("#totp-secret").inner_text()).replace(" ", "")
        await page.get_by_label("Code uit de app").fill(pyotp.TOTP(secret).now())
        await page.get_by_role("button", name="Bevestigen").click()
        await expect(page.locator("#recovery-codes code")).to_have_count(10)
        await page.get_by_role("link", name="Verder").click()

        await page.wait_for_url(re.compile(r"/admin/"))
        checklist = page.get_by_role("region", name="Zo is de chat klaar voor gebruik")
        await expect(checklist).to_contain_text("0 van de 4 stappen gedaan")
        await assert_accessible(page)
        await snap(page, "14-11-production-admin-home-after-two-factor")
    finally:
        await context.close()
