"""Accounts in Chromium against the real server process (issue 10): choosing a password from an
invite link with the strength shown as it is typed, then logging in with it; setting up
two-factor login, then logging in with a code and with a recovery code."""

from __future__ import annotations

import re
import time

import pyotp
from playwright.async_api import Page, expect

from helpchat import identity
from helpchat.store import Store
from helpchat.web.admin_counselors import PENDING_HASH
from tests.e2e.conftest import LiveServer, axe_violations, snap
from tests.support import PASSWORD, add_account

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


async def log_in(page: Page, url: str, name: str, password: str) -> None:
    await page.goto(f"{url}/login")
    await page.get_by_label("Gebruikersnaam").fill(name)
    await page.get_by_label("Wachtwoord").fill(password)
    await page.get_by_role("button", name="Inloggen").click()


async def test_two_factor_enrol_then_log_in_with_a_code_and_with_a_recovery_code(
    page: Page, live_server: LiveServer, live_store: Store
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await add_account(live_store, "sofie", "supervisor", display_name="Sofie")
    await log_in(page, live_server.url, "sofie", PASSWORD)
    await page.wait_for_url("**/console/")
    await page.goto(f"{live_server.url}/account")
    await page.get_by_role("link", name="Inloggen in twee stappen instellen").click()
    await expect(page.get_by_role("img", name=re.compile("QR-code"))).to_be_visible()
    secret = (await page.locator("#totp-secret").inner_text()).replace(" ", "")
    totp = pyotp.TOTP(secret)
    assert await axe_violations(page) == []
    await snap(page, "two-factor-enrol")
    await page.get_by_label("Code uit de app").fill(totp.now())
    await page.get_by_role("button", name="Bevestigen").click()
    codes = page.locator("#recovery-codes code")
    await expect(codes).to_have_count(10)
    recovery = await codes.first.inner_text()
    assert await axe_violations(page) == []
    await snap(page, "two-factor-recovery-codes")
    await page.get_by_role("button", name="Uitloggen").click()
    await page.wait_for_url("**/login")

    await log_in(page, live_server.url, "sofie", PASSWORD)
    await page.wait_for_url("**/login/code")
    code_field = page.get_by_label("Code", exact=True)
    # The enrolment used this step's code: the next step's is the first one left.
    next_code = totp.at(time.time() + 30)
    await code_field.fill(next_code)
    assert await axe_violations(page) == []
    await snap(page, "two-factor-login-code")
    await page.get_by_role("button", name="Verder").click()
    await page.wait_for_url("**/console/")
    await page.get_by_role("button", name="Uitloggen").click()
    await page.wait_for_url("**/login")

    await log_in(page, live_server.url, "sofie", PASSWORD)
    await page.wait_for_url("**/login/code")
    # The very code just used (not recomputed: a step may have passed since): refused.
    await code_field.fill(next_code)
    await page.get_by_role("button", name="Verder").click()
    await expect(page.get_by_role("alert")).to_contain_text("al gebruikt")
    await code_field.fill(recovery)
    await page.get_by_role("button", name="Verder").click()
    await page.wait_for_url("**/account/two-factor?**")
    await expect(page.get_by_role("status")).to_contain_text("herstelcode")
    await expect(page.locator("#recovery-left")).to_have_text("Ongebruikte herstelcodes: 9.")
    assert await axe_violations(page) == []
    assert not errors, errors
