"""Accounts in Chromium against the real server process (issue 10): choosing a password from an
invite link with the strength shown as it is typed, then logging in with it."""

from __future__ import annotations

from playwright.async_api import Page, expect

from helpchat import identity
from helpchat.store import Store
from helpchat.web.admin_counselors import PENDING_HASH
from tests.e2e.conftest import LiveServer, snap

GOOD = "mijn fiets staat onder de brug"


async def invite(store: Store, name: str) -> str:
    counselor_id = identity.new_id()
    assert await store.counselors.create(counselor_id, name=name, roles=("counselor",),
                                         max_chats=2, password_hash=PENDING_HASH, now_ms=0)
    return await store.invites.create(counselor_id, "invite")


async def test_invite_page_judges_the_password_as_it_is_typed_then_it_logs_in(
    page: Page, live_server: LiveServer, live_store: Store
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    token = await invite(live_store, "sanne")
    await page.goto(f"{live_server.url}/invite/{token}")
    feedback = page.locator("#password-strength")
    password = page.get_by_label("Wachtwoord", exact=True)
    await password.press_sequentially("welkom01!!")
    await expect(feedback).to_contain_text("te makkelijk te raden")
    await expect(feedback).to_have_attribute("data-acceptable", "no")
    await password.fill("")
    await password.press_sequentially(GOOD)
    await expect(feedback).to_have_text("Sterk genoeg.")
    await snap(page, "invite-password-strength")
    await page.get_by_label("Wachtwoord nog een keer").fill(GOOD)
    await page.get_by_role("button", name="Wachtwoord opslaan").click()
    await expect(page.get_by_text("Je wachtwoord is opgeslagen")).to_be_visible()
    await page.goto(f"{live_server.url}/login")
    await page.get_by_label("Gebruikersnaam").fill("sanne")
    await page.get_by_label("Wachtwoord").fill(GOOD)
    await page.get_by_role("button", name="Inloggen").click()
    await page.wait_for_url("**/console/")
    assert not errors, errors
