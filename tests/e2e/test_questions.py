"""Questions for later in Chromium (issue 12): a young person asks while nobody can chat, writes
the code down and closes the tab; a counselor answers; the young person comes back with the code
in a fresh browser and reads, replies and deletes. Every new widget state is checked with axe
and photographed into test-output/screenshots/ (q-*)."""

from __future__ import annotations

import re

from playwright.async_api import Browser, FrameLocator, Page, expect

from helpchat.store import Store, keys
from tests.e2e.conftest import (
    SCREENSHOTS,
    CounselorFactory,
    HostSite,
    LiveServer,
    LiveServerFactory,
    axe_violations,
    snap,
)
from tests.e2e.test_console import login
from tests.e2e.test_widget import (
    assert_accessible,
    chat_frame,
    chatting,
    embed_page,
    open_widget,
    say,
    session_storage_of_chat_origin,
    start_chat,
)
from tests.support import PASSWORD, add_account, eventually, visitor

OFFER = "Stel je vraag, dan krijg je later antwoord"


async def ask(page: Page, widget: FrameLocator, text: str, *, remember: bool = False) -> str:
    """From an unavailable view: ask, read the code, tick the steps; returns the code."""
    await widget.get_by_role("button", name="Vraag stellen").click()
    await expect(widget.get_by_role("heading", name="Stel je vraag")).to_be_focused()
    await widget.get_by_role("textbox", name="Je vraag").fill(text)
    await widget.get_by_role("button", name="Vraag versturen").click()
    await expect(widget.get_by_role("heading", name="Je code")).to_be_visible()
    code = re.sub(r"\s+", " ", await widget.locator("#pickup-code").inner_text()).strip()
    assert len(code.split(" ")) == 6
    if remember:
        await widget.get_by_label("Onthoud de code op dit apparaat").check()
    await widget.get_by_label("Ik heb de code opgeschreven").check()
    await widget.get_by_role("button", name="Verder").click()
    await expect(widget.get_by_role("heading", name="Je vraag")).to_be_visible()
    return code


async def test_ask_while_nobody_is_on_duty_and_come_back_in_a_fresh_browser(
    page: Page, browser: Browser, live_server: LiveServer, host_site: HostSite,
    counselors: CounselorFactory,
) -> None:
    url = embed_page(host_site, live_server)
    widget = await open_widget(page, url)
    offer = widget.locator("#view-unavailable .ask-offer")
    await expect(offer.get_by_role("heading", name=OFFER)).to_be_visible()
    # Next to the contacts, never instead of them: 112 still comes first.
    await expect(widget.locator("#view-unavailable .contact").first).to_contain_text("112")
    await expect(offer).to_contain_text("We proberen binnen 2 dagen te antwoorden.")
    await assert_accessible(await chat_frame(page))
    await snap(page, "q-1-unavailable-with-offer")

    await widget.get_by_role("button", name="Vraag stellen").click()
    await expect(widget.locator("#view-ask a[href='tel:112']")).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "q-2-ask")
    await widget.get_by_role("textbox", name="Je vraag").fill(
        "Mijn ouders maken elke avond ruzie. Wat kan ik doen?")
    await widget.get_by_role("button", name="Vraag versturen").click()
    await expect(widget.get_by_role("heading", name="Je code")).to_be_visible()
    await expect(widget.locator("#code-warning")).to_contain_text("maar één keer")
    code = re.sub(r"\s+", " ", await widget.locator("#pickup-code").inner_text()).strip()
    await assert_accessible(await chat_frame(page))
    await snap(page, "q-3-code-once")
    await widget.get_by_role("button", name="Verder").click()
    await expect(widget.locator("#code-error")).to_have_text(
        "Vink eerst aan dat je de code hebt opgeschreven.")
    await widget.get_by_label("Ik heb de code opgeschreven").check()
    await widget.get_by_role("button", name="Verder").click()
    await expect(widget.locator("#thread-status")).to_contain_text("Nog geen antwoord")
    assert "helpchat.question_code" not in await session_storage_of_chat_origin(page, live_server)
    assert code not in await (await chat_frame(page)).content()  # shown once, then gone
    await assert_accessible(await chat_frame(page))
    await snap(page, "q-4-thread-waiting")
    await page.close()  # the tab is closed: only the written-down code remains

    anna = await counselors("Anna", on_duty=False)
    claimed = await anna.call("claim_question", {})
    assert claimed["ok"], claimed
    answered = await anna.call("answer_question", {
        "thread_id": claimed["thread"]["thread_id"], "client_id": "a1",
        "text": "Wat naar dat je dat elke avond hoort. Je kunt ..."})
    assert answered["ok"], answered

    fresh = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    back = await fresh.new_page()
    widget = await open_widget(back, url)
    await widget.locator("#view-unavailable").get_by_role("button", name="Ik heb een code").click()
    await expect(widget.get_by_role("heading", name="Ik heb een code")).to_be_focused()
    await assert_accessible(await chat_frame(back))
    await snap(back, "q-5-have-a-code")
    await widget.get_by_label("Je code (zes woorden)").fill(code.upper().replace(" ", "-"))
    await widget.get_by_role("button", name="Open mijn vraag").click()
    thread = widget.locator("#thread-messages")
    await expect(thread).to_contain_text("Mijn ouders maken elke avond ruzie")
    await expect(thread.locator(".from-counselor")).to_contain_text("Anna")
    await expect(widget.locator("#thread-status")).to_have_text("Er is antwoord.")
    await assert_accessible(await chat_frame(back))
    await snap(back, "q-6-thread-answered")

    await widget.get_by_label("Reageer").fill("Dank je, dat helpt.")
    await widget.get_by_role("button", name="Versturen").click()
    await expect(thread.locator(".from-visitor")).to_have_count(2)
    # An answered thread that gets a reply waits in the inbox again, for whoever is free.
    await anna.wait_for("questions_changed", lambda d: d["waiting"] == 1)
    inbox = await anna.call("questions")
    assert [e["thread_id"] for e in inbox["waiting"]] == [claimed["thread"]["thread_id"]]

    await widget.get_by_role("button", name="Verwijder nu").click()
    await expect(widget.locator("#delete-confirm")).to_be_visible()
    await assert_accessible(await chat_frame(back))
    await snap(back, "q-7-delete-confirm")
    await widget.get_by_role("button", name="Ja, verwijder").click()
    await expect(widget.locator("#view-unavailable")).to_be_visible()
    await widget.locator("#view-unavailable").get_by_role("button", name="Ik heb een code").click()
    await widget.get_by_label("Je code (zes woorden)").fill(code)
    await widget.get_by_role("button", name="Open mijn vraag").click()
    await expect(widget.locator("#pickup-error")).to_contain_text("We vinden geen vraag")
    await fresh.close()


async def test_a_wrong_code_and_an_expired_thread_read_the_same(
    page: Page, live_server: LiveServer, host_site: HostSite, live_store: Store,
) -> None:
    widget = await open_widget(page, embed_page(host_site, live_server))
    code = await ask(page, widget, "Hoe zeg ik het tegen mijn mentor?")
    tid_keys = [key async for key in live_store.redis.scan_iter("hc:t*")
                if key.startswith(("hc:thread:", "hc:tlog:", "hc:tcode:", "hc:tcids:"))]
    for key in tid_keys:
        await live_store.redis.pexpire(key, 1)  # Redis itself expires them, as after 30 days

    async def gone() -> bool:
        return not [k async for k in live_store.redis.scan_iter(keys.thread_code("*"))]

    await eventually(gone)
    await widget.get_by_role("button", name="Vraag sluiten").click()
    have_code = widget.locator("#view-unavailable").get_by_role("button", name="Ik heb een code")
    messages = []
    for typed in ("appel peer banaan kiwi druif mango", code):
        await have_code.click()
        await widget.get_by_label("Je code (zes woorden)").fill(typed)
        await widget.get_by_role("button", name="Open mijn vraag").click()
        error = widget.locator("#pickup-error")
        await expect(error).not_to_be_empty()
        messages.append(await error.inner_text())
        await widget.get_by_role("button", name="Terug").click()
    assert messages[0] == messages[1]
    assert messages[0].startswith("We vinden geen vraag met die code")
    await have_code.click()
    await widget.get_by_label("Je code (zes woorden)").fill(code)
    await widget.get_by_role("button", name="Open mijn vraag").click()
    await expect(widget.locator("#pickup-error")).not_to_be_empty()
    await assert_accessible(await chat_frame(page))
    await snap(page, "q-8-code-not-found")


async def test_remember_on_this_device_then_quick_exit_forgets_the_code(
    page: Page, live_server: LiveServer, host_site: HostSite,
) -> None:
    url = embed_page(host_site, live_server)
    widget = await open_widget(page, url)
    code = await ask(page, widget, "Mag ik iets vragen over school?", remember=True)
    stored = await session_storage_of_chat_origin(page, live_server)
    assert stored.get("helpchat.question_code") == code
    await page.reload()
    await page.get_by_role("button", name=re.compile("chat", re.IGNORECASE)).click()
    widget = page.frame_locator("helpchat-widget iframe")
    remembered = widget.locator("#view-unavailable").get_by_role("button", name="Open mijn vraag")
    await expect(remembered).to_be_visible()
    await remembered.click()
    await expect(widget.locator("#thread-messages")).to_contain_text("over school")

    await widget.get_by_role("button", name="Snel weg").click()
    await page.wait_for_url(host_site.url("/neutral"))
    await page.goto(url)
    assert await session_storage_of_chat_origin(page, live_server) == {}


async def test_after_a_long_wait_in_the_queue_the_widget_offers_a_question(
    page: Page, start_live_server: LiveServerFactory, host_site: HostSite,
    counselors: CounselorFactory,
) -> None:
    server = await start_live_server(HELPCHAT_QUESTION_OFFER_AFTER_WAIT_MINUTES="0.02")
    await counselors("Anna", server=server)
    widget = await open_widget(page, embed_page(host_site, server))
    await start_chat(widget)
    offer = widget.locator("#queue-ask")
    await expect(offer).to_be_visible()
    await expect(offer.get_by_role("button", name=OFFER)).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "q-9-long-wait-offer")
    await offer.get_by_role("button", name=OFFER).click()
    await expect(widget.get_by_role("heading", name="Stel je vraag")).to_be_visible()
    await widget.get_by_role("button", name="Terug").click()
    await expect(widget.locator("#queue-status")).to_contain_text("nummer")


async def test_console_questions_inbox_claim_answer_and_live_chats_first(
    browser: Browser, live_server: LiveServer, live_store: Store,
) -> None:
    """The Questions inbox next to the live queue: oldest first, claimed and answered in a pane
    of its own; while a live chat waits for a counselor on duty, claiming is off."""
    await add_account(live_store, "Anna")
    youth, _ = await visitor(live_server.url)
    asked = await youth.call("ask", {"text": "Hoe vertel ik mijn moeder dat ik gepest word?"})
    assert asked["ok"], asked
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    anna = await context.new_page()
    errors: list[str] = []
    anna.on("pageerror", lambda error: errors.append(str(error)))
    await anna.goto(f"{live_server.url}/login")
    await login(anna, "Anna", PASSWORD)
    await anna.wait_for_url("**/console/")
    panel = anna.locator("#questions")
    await expect(panel.get_by_role("heading", name=re.compile("Vragen"))).to_be_visible()
    await expect(panel.locator(".question-item")).to_contain_text("gepest")

    await anna.locator("label.duty-on").click()
    live, _ = await visitor(live_server.url)
    assert (await live.call("request_chat", {}))["ok"]
    await expect(panel.locator("#questions-live-first")).to_contain_text("Eerst de live chats")
    await expect(panel.get_by_role("button", name="Pak de oudste vraag")).to_be_disabled()
    await anna.screenshot(path=SCREENSHOTS / "q-console-live-first-1280x800.png")
    # Taken, the live chat shows no "returning; earlier question": it came from no thread.
    await anna.get_by_role("button", name="Neem volgende").click()
    await expect(anna.locator("article.chat")).to_be_visible()
    await expect(anna.locator("article.chat .returning-line")).to_be_hidden()
    await expect(anna.locator("article.chat .earlier-thread")).to_be_hidden()
    await expect(panel.get_by_role("button", name="Pak de oudste vraag")).to_be_enabled()

    await panel.get_by_role("button", name="Pak de oudste vraag").click()
    pane = anna.locator(".question-pane")  # beside the live chat
    await expect(pane.locator(".transcript")).to_contain_text("gepest")
    found = await axe_violations(anna)
    assert found == [], found
    await anna.screenshot(path=SCREENSHOTS / "q-console-question-1280x800.png")
    await pane.get_by_label("Je antwoord").fill("Wat goed dat je het wilt vertellen.")
    await pane.get_by_role("button", name="Antwoord versturen").click()
    await expect(pane).to_have_count(0)
    back, _ = await visitor(live_server.url)
    picked = await back.call("pickup", {"code": asked["code"]})
    assert [m["sender"] for m in picked["thread"]["messages"]] == ["visitor", "counselor"]
    assert not errors, errors
    for client in (youth, live, back):
        await client.close()
    await context.close()


async def test_keep_talking_later_at_the_end_of_a_live_chat(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory,
) -> None:
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)
    await say(anna, cid, "Zullen we hier later verder over praten?", "s1")
    assert (await anna.call("offer_later", {"conversation_id": cid}))["ok"]
    offer = widget.locator("#later-offer")
    await expect(offer).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "q-10-keep-talking-later")
    await offer.get_by_role("button", name="Ja, later verder praten").click()
    await expect(widget.get_by_role("heading", name="Je code")).to_be_visible()
    await widget.get_by_label("Ik heb de code opgeschreven").check()
    await widget.get_by_role("button", name="Verder").click()
    await expect(widget.locator("#thread-messages")).to_contain_text("later verder over praten")
    accepted = await anna.wait_for("later_accepted")
    assert accepted["conversation_id"] == cid
    await widget.get_by_role("button", name="Vraag sluiten").click()
    await expect(widget.get_by_role("heading", name="Je praat met Anna")).to_be_visible()


async def test_during_opening_hours_i_have_a_code_follows_the_start_button(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory,
) -> None:
    """The ready view keeps the way to a first message (topic, urgency, Start de chat) and
    offers "Ik heb een code" one Tab after the start button, before "Snel weg" again."""
    youth, _ = await visitor(live_server.url)
    asked = await youth.call("ask", {"text": "Kan ik iets vragen over mijn stiefvader?"})
    assert asked["ok"], asked
    await youth.close()
    await counselors("Anna")  # on duty: the widget opens on the ready view
    widget = await open_widget(page, embed_page(host_site, live_server))
    await expect(widget.locator("#view-ready")).to_be_visible()
    await widget.get_by_role("button", name="Start de chat").focus()
    await page.keyboard.press("Tab")
    have_code = widget.locator("#view-ready").get_by_role("button", name="Ik heb een code")
    await expect(have_code).to_be_focused()
    await assert_accessible(await chat_frame(page))
    await snap(page, "q-11-ready-with-code")
    await page.keyboard.press("Enter")
    await expect(widget.get_by_role("heading", name="Ik heb een code")).to_be_focused()
    await widget.get_by_label("Je code (zes woorden)").fill(asked["code"])
    await widget.get_by_role("button", name="Open mijn vraag").click()
    await expect(widget.locator("#thread-messages")).to_contain_text("stiefvader")
    await widget.get_by_role("button", name="Vraag sluiten").click()
    await expect(widget.locator("#view-ready")).to_be_visible()


async def test_under_a_flood_asking_and_opening_a_code_solve_the_challenge_invisibly(
    page: Page, start_live_server: LiveServerFactory, host_site: HostSite, live_store: Store,
) -> None:
    """`ask` and `pickup` pass the queue's proof-of-work gate: past the threshold the widget
    solves the ALTCHA challenge in its workers, as for request_chat, and the youth sees only
    the code and then the thread."""
    gated = await start_live_server(HELPCHAT_PROOF_JOINS_PER_MINUTE="1")
    earlier, _ = await visitor(gated.url)
    assert (await earlier.call("ask", {"text": "De vrije vraag van deze minuut"}))["ok"]
    refused = await earlier.call("pickup", {"code": "appel peer banaan kiwi druif mango"})
    assert refused["error"]["code"] == "rate_limited" and refused["error"]["challenge"]
    await earlier.close()

    widget = await open_widget(page, embed_page(host_site, gated))
    code = await ask(page, widget, "Hoe krijg ik hulp zonder dat mijn ouders het weten?")
    used = [k async for k in live_store.redis.scan_iter("hc:pow:used:*")]
    assert len(used) == 1  # the question went in with a solved proof
    await widget.get_by_role("button", name="Vraag sluiten").click()
    await widget.locator("#view-unavailable").get_by_role("button", name="Ik heb een code").click()
    await widget.get_by_label("Je code (zes woorden)").fill(code)
    await widget.get_by_role("button", name="Open mijn vraag").click()
    await expect(widget.locator("#thread-messages")).to_contain_text("zonder dat mijn ouders")
    await expect(widget.locator("#pickup-error")).to_be_empty()
    used = [k async for k in live_store.redis.scan_iter("hc:pow:used:*")]
    assert len(used) == 2  # and so did the lookup


async def test_back_with_a_code_while_open_the_youth_can_chat_live_with_who_answered(
    page: Page, browser: Browser, live_server: LiveServer, host_site: HostSite,
    counselors: CounselorFactory,
) -> None:
    """Opt-in: the thread says its counselor is here now; the youth chooses to chat live and
    reaches them; the counselor's console shows only "returning; earlier question" and the
    thread."""
    youth, _ = await visitor(live_server.url)
    asked = await youth.call("ask", {"text": "Ik wil stoppen met blowen maar het lukt niet."})
    await youth.close()
    anna = await counselors("Anna")
    await anna.call("claim_question", {"thread_id": asked["thread_id"]})
    await anna.call("answer_question", {"thread_id": asked["thread_id"], "client_id": "a1",
                                        "text": "Knap dat je dat wilt. Zullen we samen kijken?"})
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    console = await context.new_page()
    await console.goto(f"{live_server.url}/login")
    await login(console, "Anna", PASSWORD)
    await console.wait_for_url("**/console/")

    widget = await open_widget(page, embed_page(host_site, live_server))
    await widget.locator("#view-ready").get_by_role("button", name="Ik heb een code").click()
    await widget.get_by_label("Je code (zes woorden)").fill(asked["code"])
    await widget.get_by_role("button", name="Open mijn vraag").click()
    offer = widget.locator("#thread-live")
    await expect(offer).to_contain_text("De hulpverlener van deze vraag (Anna) is er nu.")
    await assert_accessible(await chat_frame(page))
    await snap(page, "q-12-thread-live-offer")
    await offer.get_by_role("button", name="Ja, nu live chatten").click()
    await expect(widget.get_by_role("heading", name="Je praat met Anna")).to_be_visible()
    await expect(widget.get_by_label("Je bericht")).to_be_visible()

    pane = console.locator("article.chat")
    await expect(pane.get_by_text("Terugkomer; eerdere vraag")).to_be_visible()
    earlier = pane.locator(".earlier-thread")
    await earlier.locator("summary").click()
    await expect(earlier).to_contain_text("stoppen met blowen")
    await expect(earlier).to_contain_text("Zullen we samen kijken?")
    found = await axe_violations(console)
    assert found == [], found
    await console.screenshot(path=SCREENSHOTS / "q-console-returning-1280x800.png")
    assigned = (await anna.wait_for("assigned"))["conversation"]
    assert assigned["earlier_thread"]["thread_id"] == asked["thread_id"]
    await say(anna, assigned["id"], "Fijn je weer te zien.", "l1")
    await expect(widget.locator("#transcript")).to_contain_text("Fijn je weer te zien.")
    await context.close()
