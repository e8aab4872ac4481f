"""Per-language widget texts (issue 14, point 5): an English widget never shows the Dutch
title, intro or topics; the admin writes each language's own and the settings and contacts
pages say where the languages are missing or differ. Chromium at 375x667 and 1280x800, axe
clean, screenshots in test-output/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest_asyncio
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import CounselorFactory, HostSite, LiveServer, snap
from tests.e2e.test_admin import Login, logged_in  # noqa: F401 - the fixture
from tests.e2e.test_widget import assert_accessible, chat, chat_frame, embed_page

NL_TITLE = "Praat met Jeugdlijn"
EN_TITLE = "Talk to Jeugdlijn"


@pytest_asyncio.fixture(loop_scope="session")
async def contexts(browser: Browser) -> AsyncIterator[list[BrowserContext]]:
    made: list[BrowserContext] = []
    yield made
    for context in made:
        await context.close()


async def fresh_phone(browser: Browser, contexts: list[BrowserContext]) -> Page:
    """A youth's phone with an empty cache."""
    context = await browser.new_context(viewport={"width": 375, "height": 667}, locale="nl-NL")
    context.set_default_timeout(10_000)
    contexts.append(context)
    return await context.new_page()


async def fill_texts(page: Page, fields: dict[str, str]) -> None:
    for label, value in fields.items():
        await page.get_by_label(label, exact=True).fill(value)
    await page.get_by_role("button", name="Opslaan", exact=True).click()
    await expect(page.get_by_role("status")).to_have_text("Opgeslagen.")


async def test_each_language_has_its_own_texts_and_the_admin_sees_the_gaps(
    browser: Browser, contexts: list[BrowserContext], logged_in: Login,  # noqa: F811
    live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory,
) -> None:
    await counselors("Anna")
    admin = await logged_in(start="/admin/settings")
    await fill_texts(admin, {
        "Titel (Nederlands)": NL_TITLE, "Titel (Engels)": "",
        "Korte tekst boven de aanmelding (Nederlands)": "Anoniem en gratis.",
        "Korte tekst boven de aanmelding (Engels)": "",
        "Onderwerpen (Nederlands)": "School\nThuis\nVrienden", "Onderwerpen (Engels)": "",
    })
    gaps = admin.get_by_role("region", name="Verschillen tussen de talen").locator("li")
    await expect(gaps).to_have_text([
        "Engels: geen eigen titel, dus de chat heet daar ‘Chat with us’ en niet zoals in het "
        "Nederlands.",
        "Engels: de korte tekst boven de aanmelding ontbreekt (in het Nederlands is die er wel).",
        re.compile(r"^Engels: geen onderwerpen\."),
    ])
    await assert_accessible(admin)
    await snap(admin, "14-5-settings-english-missing")

    # The English widget shows none of the Dutch texts: its own default title, no intro and
    # no topic list, rather than "Thuis" and "Vrienden" on an English page.
    page = await fresh_phone(browser, contexts)
    await page.goto(embed_page(host_site, live_server, lang="en"))
    await page.get_by_role("button", name="Chat with us").click()
    widget = chat(page)
    await expect(widget.locator("#view-ready")).to_be_visible()
    await expect(widget.get_by_role("heading", level=1)).to_have_text("Chat with us")
    await expect(widget.locator("#intro")).to_have_count(0)
    await expect(widget.locator("#topic")).to_have_count(0)
    await assert_accessible(await chat_frame(page))
    await snap(page, "14-5-widget-english-defaults")

    await fill_texts(admin, {
        "Titel (Engels)": EN_TITLE,
        "Korte tekst boven de aanmelding (Engels)": "Anonymous and free.",
        "Onderwerpen (Engels)": "School\nHome",
    })
    await expect(gaps).to_have_text(["Onderwerpen: 3 in het Nederlands, 2 in het Engels."])

    # A new visitor (the loader, with the launcher's title, is cached for five minutes).
    page = await fresh_phone(browser, contexts)
    widget = chat(page)
    await page.goto(embed_page(host_site, live_server, lang="en"))
    await page.get_by_role("button", name=EN_TITLE).click()
    await expect(widget.get_by_role("heading", level=1)).to_have_text(EN_TITLE)
    await expect(widget.locator("#intro")).to_have_text("Anonymous and free.")
    topic = widget.get_by_label(re.compile("What would you like to talk about"))
    await expect(topic.locator("option")).to_have_text(["Choose a topic", "School", "Home"])
    await assert_accessible(await chat_frame(page))
    await snap(page, "14-5-widget-english-own-texts")

    # The Dutch widget keeps the Dutch texts.
    await page.goto(embed_page(host_site, live_server, lang="nl"))
    await page.get_by_role("button", name=NL_TITLE).click()
    await expect(widget.get_by_role("heading", level=1)).to_have_text(NL_TITLE)
    await expect(widget.locator("#intro")).to_have_text("Anoniem en gratis.")
    await expect(widget.get_by_label(re.compile("Waar wil je over praten")).locator("option")) \
        .to_have_text(["Kies een onderwerp", "School", "Thuis", "Vrienden"])

    # An English contact list that silently lacks a Dutch helpline is named on the contacts page.
    await admin.goto(f"{live_server.url}/admin/contacts?list=en")
    await admin.get_by_role("button", name="Veilig Thuis (domestic violence) verwijderen").click()
    contact_gaps = admin.get_by_role("region", name="Verschillen tussen de talen").locator("li")
    await expect(contact_gaps).to_contain_text([
        "Noodcontacten: ‘Veilig Thuis’ staat in het Nederlands maar niet in het Engels."])

    # The same helpline with other hours in one language: named too (a youth reading English
    # would see it open when the Dutch list says closed).
    await admin.goto(f"{live_server.url}/admin/contacts?list=nl")
    await admin.get_by_role("link", name=re.compile("De Kindertelefoon bewerken")).click()
    hours = admin.get_by_role("group", name="Wanneer bereikbaar")
    await hours.get_by_label("zaterdag").uncheck()
    await hours.get_by_label("zondag").uncheck()
    await admin.get_by_role("button", name="Opslaan").click()
    await expect(admin.get_by_role("status")).to_contain_text("gewijzigd")
    await expect(contact_gaps).to_contain_text([
        "Noodcontacten: ‘De Kindertelefoon’ heeft in het Engels andere tijden dan in het "
        "Nederlands."])
    await assert_accessible(admin)
    await snap(admin, "14-5-contacts-hours-differ")
    await assert_accessible(admin)
    await snap(admin, "14-5-contacts-english-lacks-one")
