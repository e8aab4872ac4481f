"""The console on a busy evening (issue 13), in Chromium against the real server process:
nothing a youth writes goes unseen, and counselors are looked after.

Visitors are python-socketio clients; counselors log in through the login page in browser
contexts of their own. Headless Chromium has no speakers and no notification centre: a stand-in
audio context and Notification record what the console asks the browser to play and show.
Screenshots go to test-output/screenshots/console-evening-*.png.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest_asyncio
from playwright.async_api import Browser, Page, expect

from helpchat.store import Store
from tests.e2e.conftest import SCREENSHOTS, LiveServer, LiveServerFactory, axe_violations
from tests.e2e.test_console import go_on_duty, login, pane
from tests.support import PASSWORD, Client, add_account, connect_counselor, visitor
from tests.support import login as api_login

Desk = Callable[..., Awaitable[Page]]

# Records tones (by frequency) and notifications instead of playing and showing them.
RECORDERS = """() => {
    window.tones = [];
    window.shown = [];
    window.Notification = class { static permission = "granted";
        static requestPermission() { return Promise.resolve("granted"); }
        constructor(title, options) { window.shown.push([title, options.body]); } };
    const notifier = window.helpchatConsole.notifier;
    notifier.supported = true;
    notifier.audio = { state: "running", currentTime: 0, destination: {},
        createOscillator() { const osc = { frequency: {}, connect: (gain) => gain,
            start() { window.tones.push(osc.frequency.value); }, stop() {} }; return osc; },
        createGain() { return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} },
            connect: () => ({}) }; } };
}"""


@pytest_asyncio.fixture(loop_scope="session")
async def desk(browser: Browser, live_server: LiveServer,
               live_store: Store) -> AsyncIterator[Desk]:
    """An account and its console (own browser context), at a size and in a language."""
    contexts = []

    async def open_desk(name: str, *, role: str = "counselor", lang: str = "nl",
                        size: tuple[int, int] = (1280, 800), server: LiveServer | None = None,
                        max_chats: int = 2) -> Page:
        # The display name is the login name (as in the `counselors` fixture): the names
        # colleagues see are read below.
        await add_account(live_store, name, role, max_chats, display_name=name)
        url = (server or live_server).url
        context = await browser.new_context(viewport={"width": size[0], "height": size[1]},
                                            locale="nl-NL", has_touch=size[0] < 900)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = await context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors  # type: ignore[attr-defined]
        await page.goto(f"{url}/login")
        await login(page, name, PASSWORD)
        await page.wait_for_url("**/console/")
        if lang != "nl":
            await page.goto(f"{url}/console/?lang={lang}")
        await expect(page.locator("#duty")).to_be_enabled()
        await page.evaluate(RECORDERS)
        return page

    yield open_desk
    for context in contexts:
        for page in context.pages:
            assert not page.errors, page.errors  # type: ignore[attr-defined]
        await context.close()


async def youth_in_queue(url: str, lang: str = "nl", text: str | None = None,
                         topic: str | None = None) -> tuple[Client, str]:
    client, _ = await visitor(url, lang=lang)
    queued = await client.call("request_chat", {"topic": topic} if topic else {})
    assert queued["ok"], queued
    if text:
        assert (await client.call("message", {"client_id": "v-0", "text": text}))["ok"]
    return client, queued["conversation_id"]


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 0, "height": 0}
    file = f"console-evening-{name}-{size['width']}x{size['height']}.png"
    await page.screenshot(path=SCREENSHOTS / file)


async def no_axe_findings(page: Page) -> None:
    found = await axe_violations(page)
    assert found == [], json.dumps(found, indent=2, ensure_ascii=False)


# --- 1. the youth's language ------------------------------------------------------------------


async def test_a_dutch_youth_gets_dutch_canned_responses_from_an_english_console(
    live_server: LiveServer, live_store: Store, desk: Desk
) -> None:
    anna = await desk("anna", lang="en")
    await go_on_duty_en(anna)
    youth, cid = await youth_in_queue(live_server.url, "nl", "hoi")
    row = anna.locator(f'.queue-item[data-cid="{cid}"]')
    await expect(row.locator(".badge-lang")).to_have_text("NL")
    await expect(row).to_contain_text("already wrote 1 message(s), 3 characters")
    await anna.get_by_role("button", name="Take next").click()
    chat = pane(anna, cid)
    await expect(chat.locator(".chat-head .badge-lang")).to_have_text("NL")
    await expect(chat.locator(".chat-head .badge-lang")).to_have_attribute(
        "title", "The youth's language: Dutch")

    # "/safe" searches the English texts too and offers the Dutch response.
    composer = chat.locator("textarea")
    await composer.press_sequentially("/safe")
    menu = chat.locator(".canned-menu")
    await expect(menu.locator(".canned-item")).to_have_count(1)
    await expect(menu.locator(".canned-text")).to_have_text("Ben je op dit moment veilig?")
    await expect(menu.locator(".canned-alt")).to_have_text("Are you safe right now?")
    await shot(anna, "canned-youth-language")
    await composer.press("Enter")
    await expect(composer).to_have_value("Ben je op dit moment veilig?")
    await expect(chat.locator(".canned-hint")).to_be_hidden()
    await composer.press("Enter")
    got = await youth.wait_for("message", lambda m: m["sender"] == "counselor")
    assert got["text"] == "Ben je op dit moment veilig?"

    # Without a Dutch text, the English one is offered with a visible marker.
    await live_store.canned.replace("nl", ["Hoi!"])
    await anna.reload()
    await expect(anna.locator("#duty")).to_be_enabled()
    await composer.press_sequentially("/safe")
    item = menu.locator(".canned-item")
    await expect(item.locator(".canned-text")).to_have_text("Are you safe right now?")
    await expect(item.locator(".badge-lang-fallback")).to_have_text(
        "English: not the youth's language")
    await composer.press("Enter")
    await expect(chat.locator(".canned-hint")).to_contain_text("the youth writes Dutch")
    await shot(anna, "canned-fallback")
    await no_axe_findings(anna)
    await youth.close()


async def go_on_duty_en(page: Page) -> None:
    await page.locator("label.duty-on").click()
    await expect(page.locator("#duty")).to_have_attribute("data-status", "on")


# --- 2. attention cues ------------------------------------------------------------------------


async def test_a_message_in_the_unfocused_pane_is_counted_sounded_and_titled(
    start_live_server: LiveServerFactory, desk: Desk
) -> None:
    server = await start_live_server(HELPCHAT_REPLY_WAIT_ALERT_SECONDS="1")
    anna = await desk("anna", server=server)
    await go_on_duty(anna)
    first, cid1 = await youth_in_queue(server.url, text="Hoi")
    second, cid2 = await youth_in_queue(server.url, text="Hallo?")
    await expect(anna).to_have_title(re.compile(r"^2 wachtend – Console"))
    await anna.get_by_role("button", name="Neem volgende").click()
    await anna.get_by_role("button", name="Neem volgende").click()
    chat1, chat2 = pane(anna, cid1), pane(anna, cid2)
    await expect(chat2.locator(".transcript")).to_contain_text("Hallo?")

    # Both youths waited longer than a second for an answer: each pane says since when.
    await expect(chat1.locator(".waiting-line")).to_contain_text(
        re.compile(r"Jongere wacht op je antwoord sinds \d\d:\d\d \(0 min\)"))
    await chat1.locator("textarea").fill("Hoi, ik ben er.")
    await chat1.locator("textarea").press("Enter")
    await expect(chat1.locator(".waiting-line")).to_be_hidden()
    await expect(chat2.locator(".waiting-line")).to_be_visible()

    # anna is typing in chat 1; the youth in chat 2 writes: counted, a soft tone, the title.
    await anna.evaluate("window.tones = []")
    await first.call("message", {"client_id": "v-1", "text": "in beeld"})
    await expect(chat1.locator(".transcript")).to_contain_text("in beeld")
    await second.call("message", {"client_id": "v-1", "text": "ben je er nog?"})
    await expect(chat2.locator(".badge-unread")).to_have_text("1 nieuw")
    await expect(chat1.locator(".badge-unread")).to_be_hidden()
    await expect(anna).to_have_title(re.compile(r"^1 nieuw – Console"))
    assert await anna.evaluate("window.tones") == [660]
    await shot(anna, "unread-and-waiting")
    await no_axe_findings(anna)

    # Muted: counted, no sound. The tab hidden: a notification without the youth's words.
    await anna.get_by_role("button", name="Geluid dempen").click()
    await expect(anna.get_by_role("button", name="Geluid dempen")).to_have_attribute(
        "aria-pressed", "true")
    await anna.evaluate("""() => Object.defineProperty(document, "hidden",
                                                      { get: () => true, configurable: true })""")
    await second.call("message", {"client_id": "v-2", "text": "geheim"})
    await expect(chat2.locator(".badge-unread")).to_have_text("2 nieuw")
    assert await anna.evaluate("window.tones") == [660]
    shown = await anna.evaluate("window.shown")
    assert shown[-1][0].startswith("Nieuw bericht van Bezoeker")
    assert "geheim" not in json.dumps(shown)
    await anna.evaluate("""() => Object.defineProperty(document, "hidden",
                                                      { get: () => false, configurable: true })""")

    # Going to the pane reads it.
    await chat2.locator("textarea").click()
    await expect(chat2.locator(".badge-unread")).to_be_hidden()
    await expect(anna).to_have_title(re.compile(r"^Console"))
    await first.close()
    await second.close()


# --- 3. end reasons ---------------------------------------------------------------------------


async def test_quick_exit_is_told_plainly_and_registered_as_such(
    live_server: LiveServer, live_store: Store, desk: Desk
) -> None:
    anna = await desk("anna")
    await go_on_duty(anna)
    youth, cid = await youth_in_queue(live_server.url, text="er komt iemand aan")
    await anna.get_by_role("button", name="Neem volgende").click()
    chat = pane(anna, cid)
    await expect(chat.locator(".transcript")).to_contain_text("er komt iemand aan")
    assert (await youth.call("forget_me", {"reason": "quick_exit"}))["ok"]
    await expect(chat.locator(".notice-end")).to_contain_text("snel weggegaan met de knop")
    wrapup = chat.locator("form.wrapup")
    await expect(wrapup.get_by_label("Hoe eindigde het?")).to_have_value("quick_exit")
    await shot(anna, "quick-exit")
    await no_axe_findings(anna)
    await wrapup.get_by_label("Onderwerp").select_option("other")
    await wrapup.get_by_label("Uitkomst").select_option("ended_early")
    await wrapup.get_by_role("button", name="Opslaan").click()
    await expect(chat).to_have_count(0)
    # Counted once, in the hourly Insights figure (8d7c02a), not also in the totals.
    assert "ended_quick_exit" not in await live_store.stats.counts()
    quick_exits = [int(n) for key in await live_store.redis.keys("hc:ins:*")
                   for field, n in (await live_store.redis.hgetall(key)).items()
                   if field.endswith(":quick_exit")]
    assert quick_exits == [1]
    month = await live_store.redis.keys("hc:wrapstats:*")
    assert (await live_store.redis.hgetall(month[0]))["ended:quick_exit"] == "1"
    await youth.close()


# --- 4. handover ------------------------------------------------------------------------------


async def test_transfer_with_a_note_alerts_the_receiver_and_leaves_the_giver_a_grey_pane(
    live_server: LiveServer, desk: Desk
) -> None:
    anna = await desk("anna")
    carla = await desk("carla")
    await go_on_duty(carla)
    await go_on_duty(anna)
    youth, cid = await youth_in_queue(live_server.url, text="Ik wil over school praten.")
    await anna.get_by_role("button", name="Neem volgende").click()
    await expect(pane(anna, cid).locator(".transcript")).to_contain_text("school")
    await carla.evaluate("window.tones = []")

    await pane(anna, cid).get_by_role("button", name="Doorverbinden").click()
    dialog = anna.locator("#dlg-transfer")
    await expect(dialog.get_by_label(re.compile("carla"))).to_be_checked()
    await dialog.get_by_label("Notitie voor je collega").fill("Nog niet over thuis beginnen.")
    await dialog.get_by_role("button", name="Doorverbinden").click()

    # carla: a banner with the note, a sound, the chat; the note also sits in the transcript.
    banner = carla.locator(".alert-handover")
    await expect(banner).to_contain_text("anna heeft het gesprek met Bezoeker")
    await expect(banner).to_contain_text("Notitie: Nog niet over thuis beginnen.")
    assert await carla.evaluate("window.tones") == [660, 880, 990]
    received = pane(carla, cid)
    await expect(received.locator(".whisper")).to_contain_text("Overdrachtsnotitie van anna")
    await shot(carla, "handover-received")
    await no_axe_findings(carla)

    # anna: the pane stays readable, greyed, "handed to carla", until she closes it.
    given = pane(anna, cid)
    await expect(given).to_have_class(re.compile("handed"))
    await expect(given.locator(".handed-line")).to_contain_text("Overgedragen aan carla")
    await expect(given.locator(".transcript")).to_contain_text("Ik wil over school praten.")
    await expect(anna.locator(".toast").filter(has_text="Overgedragen aan carla")).to_be_visible()
    await shot(anna, "handover-given")
    await given.get_by_role("button", name="Sluiten").click()
    await expect(given).to_have_count(0)
    await banner.get_by_role("button", name="Naar het gesprek").click()
    await expect(received.locator("textarea")).to_be_focused()
    assert "Nog niet over thuis" not in str(youth.events)
    await youth.close()


async def test_take_over_while_the_counselor_types(live_server: LiveServer, desk: Desk) -> None:
    anna = await desk("anna")
    bram = await desk("bram", role="supervisor")
    await go_on_duty(anna)
    youth, cid = await youth_in_queue(live_server.url, text="Het gaat niet goed.")
    await anna.get_by_role("button", name="Neem volgende").click()
    chat = pane(anna, cid)
    await expect(chat.locator(".transcript")).to_contain_text("Het gaat niet goed.")

    # The board: anna on duty with 1 chat, the chat's age and the youth waiting for a reply.
    row = bram.locator(f'#board-chats li[data-cid="{cid}"]')
    await expect(row.locator(".board-wait")).to_contain_text("Wacht op antwoord sinds")
    await expect(bram.locator("#board-people")).to_contain_text("anna: Op dienst, 1/2")

    # Monitoring: anna reads "bram kijkt mee"; bram whispers.
    await row.get_by_role("button", name="Meekijken").click()
    await expect(chat.locator(".watchers-line")).to_have_text("bram kijkt mee")
    watched = bram.locator(f'article.monitor[data-monitor="{cid}"]')
    await watched.locator("textarea").fill("Ik neem het zo over")
    await watched.locator("textarea").press("Enter")
    await expect(chat.locator(".whisper")).to_contain_text("Fluistering van bram")
    await shot(anna, "watched")

    # anna is typing; bram, off duty, takes over with a note in one step.
    await chat.locator("textarea").fill("Wat fijn dat je het verte")
    await watched.get_by_role("button", name="Overnemen").click()
    dialog = bram.locator("#dlg-takeover")
    await expect(dialog.locator('[data-slot="duty"]')).to_be_visible()
    await dialog.get_by_label("Notitie voor de hulpverlener").fill("Neem even pauze, ik doe dit.")
    await dialog.get_by_role("button", name="Overnemen").click()
    await expect(bram.locator("#duty")).to_have_attribute("data-status", "on")
    mine = pane(bram, cid)
    await expect(mine.locator(".transcript")).to_contain_text("Het gaat niet goed.")
    await expect(mine.locator(".whisper").first).to_contain_text("Je eigen fluistering")
    # The note is kept with the chat: bram's pane reads it from the stored whispers.
    await expect(mine.locator(".whisper").last).to_contain_text(
        "Je notitie bij de overname")
    await expect(mine.locator(".whisper").last).to_contain_text("Neem even pauze, ik doe dit.")

    # anna: told who took it, with the note; her half-typed reply stays readable.
    await expect(chat.locator(".handed-line")).to_have_text(
        re.compile(r"bram heeft het gesprek met Bezoeker \w+ overgenomen\."))
    await expect(chat.locator(".whisper").last).to_contain_text("Neem even pauze, ik doe dit.")
    await expect(chat.locator("textarea")).to_have_value("Wat fijn dat je het verte")
    await expect(chat.locator("textarea")).to_be_disabled()
    await expect(anna.locator(".toast").filter(
        has_text=re.compile(r"met Bezoeker \w+ overgenomen"))).to_be_visible()
    await shot(anna, "taken-over")
    await shot(bram, "took-over")
    await no_axe_findings(anna)
    await no_axe_findings(bram)
    await mine.locator("textarea").fill("Hoi, ik ben bram.")
    await mine.locator("textarea").press("Enter")
    got = await youth.wait_for("message", lambda m: m["sender"] == "counselor")
    assert got["counselor_name"] == "bram"  # his display name
    await youth.close()


# --- 6. wellbeing -----------------------------------------------------------------------------


async def test_a_heavy_chat_brings_a_cool_down_and_the_shift_ends_with_a_check_in(
    live_server: LiveServer, desk: Desk
) -> None:
    anna = await desk("anna")
    bram = await desk("bram", role="supervisor")
    await go_on_duty(anna)
    youth, cid = await youth_in_queue(live_server.url, text="Ik wil niet meer leven.")
    await anna.get_by_role("button", name="Neem volgende").click()
    chat = pane(anna, cid)
    await expect(chat.locator(".transcript")).to_contain_text("niet meer leven")
    await chat.get_by_role("button", name="Beëindigen").click()
    await anna.locator("#dlg-end").get_by_role("button", name="Beëindigen").click()
    wrapup = chat.locator("form.wrapup")
    await expect(wrapup.get_by_label("Hoe eindigde het?")).to_have_value("counselor")
    await expect(bram.locator("#board-people .badge-wrapup")).to_be_visible()
    await wrapup.get_by_label("Onderwerp").select_option("self_harm")
    await wrapup.get_by_label("Uitkomst").select_option("urgent_help")
    await wrapup.get_by_label(re.compile("zwaar gesprek")).check()
    await wrapup.get_by_role("button", name="Opslaan").click()

    # The cool-down: no chat offered, take refused; the board shows it.
    cooldown = anna.locator("#cooldown")
    await expect(cooldown).to_contain_text(re.compile(r"Even pauze tot \d\d:\d\d"))
    other, _ = await youth_in_queue(live_server.url, text="hallo")
    await expect(anna.locator(".queue-item")).to_have_count(1)
    await expect(anna.get_by_role("button", name="Neem volgende")).to_be_disabled()
    await expect(anna.locator("#take-hint")).to_contain_text("Even pauze")
    await expect(anna.locator("#offer")).to_be_hidden()
    refused = await anna.evaluate("window.helpchatConsole.call('take', {})")
    assert refused["error"]["code"] == "forbidden" and "pauze" in refused["error"]["message"]
    await expect(bram.locator("#board-people .badge-cooldown")).to_contain_text("pauze tot")
    await shot(anna, "cool-down")
    await shot(bram, "board-cool-down")
    await no_axe_findings(anna)

    # Ended early by anna's own choice: the queue is hers again.
    await cooldown.get_by_role("button", name="Ik ben klaar voor de volgende chat").click()
    await expect(cooldown).to_be_hidden()
    await expect(anna.get_by_role("button", name="Neem volgende")).to_be_enabled()
    await expect(bram.locator("#board-people .badge-cooldown")).to_have_count(0)

    # Off duty: the optional check-in; only the call-back names her to the supervisor.
    await anna.locator("label.duty-off").click()
    checkin = anna.locator("#dlg-checkin")
    await expect(checkin).to_be_visible()
    await no_axe_findings(anna)
    await shot(anna, "check-in")
    await checkin.get_by_label("Zwaar").check()
    await checkin.get_by_label("Een beetje").check()
    await checkin.get_by_label(re.compile("leidinggevende me belt")).check()
    await checkin.get_by_role("button", name="Versturen").click()
    await expect(anna.locator(".toast").filter(has_text="Goed dat je er was")).to_be_visible()
    await expect(bram.locator("#board-call-backs")).to_contain_text("anna")
    await expect(bram.locator(".alert")).to_contain_text(
        "anna wil na de dienst graag gebeld worden")
    await youth.close()
    await other.close()


async def test_chat_length_nudges_come_at_the_configured_minutes_for_the_counselor_only(
    start_live_server: LiveServerFactory, desk: Desk
) -> None:
    # 0.02, 0.03, 0.04 minutes: 1.2, 1.8 and 2.4 seconds into the chat, shown the Dutch way.
    server = await start_live_server(HELPCHAT_CHAT_LENGTH_NUDGE_MINUTES="0.02,0.03,0.04")
    anna = await desk("anna", server=server)
    await go_on_duty(anna)
    youth, cid = await youth_in_queue(server.url, text="Hoi")
    await anna.get_by_role("button", name="Neem volgende").click()
    nudges = pane(anna, cid).locator(".notice-nudge")
    await expect(nudges).to_have_count(3)
    await expect(nudges).to_have_text([
        re.compile(r"Alleen voor jou: je chat nu 0,02 minuten\. Hoe gaat het met jou\?"),
        re.compile(r"Alleen voor jou: 0,03 minuten\. Denk aan een afronding"),
        re.compile(r"Alleen voor jou: 0,04 minuten\. Rond af als het kan"),
    ])
    seen = await youth.call("sync", {})
    assert seen["ok"] and "Alleen voor jou" not in json.dumps(seen), seen
    await youth.close()


async def test_a_colleague_without_a_display_name_is_named_in_the_consoles_language(
    live_server: LiveServer, live_store: Store, desk: Desk
) -> None:
    # An account from before display names: the server sends "Hulpverlener 3f2a" to every
    # console; the English board shows "Counselor 3f2a".
    anna_id = await add_account(live_store, "anna")
    anna = await connect_counselor(live_server.url, await api_login(live_server.url, "anna"))
    await anna.wait_for("duty")
    assert (await anna.call("set_duty", {"on": True}))["ok"]
    for size in ((1280, 800), (375, 667)):
        bram = await desk(f"bram{size[0]}", role="supervisor", lang="en", size=size)
        people = bram.locator("#board-people")
        await expect(people).to_contain_text(f"Counselor {anna_id[:4]}: On duty, 0/2")
        await expect(people).not_to_contain_text("Hulpverlener")
        await no_axe_findings(bram)
        await shot(bram, "unnamed-colleague-en")
    await anna.close()


# --- 7. phone and tablet ----------------------------------------------------------------------


async def whole_chat_on_a_small_screen(live_server: LiveServer, desk: Desk, name: str,
                                       size: tuple[int, int]) -> None:
    anna = await desk(name, size=size)
    switcher = anna.locator("#switcher")
    await expect(switcher).to_be_visible()
    await go_on_duty(anna)
    youth, cid = await youth_in_queue(live_server.url, text="Hoi, ben je er?")
    await expect(switcher.get_by_role("button", name=re.compile("Wachtrij"))).to_contain_text("1")
    await shot(anna, "phone-queue")
    await no_axe_findings(anna)
    await anna.get_by_role("button", name="Neem volgende").click()

    # One pane at a time: the chat fills the screen, the queue a tap away.
    chat = pane(anna, cid)
    await expect(chat).to_be_visible()
    await expect(anna.locator("#queue-heading")).to_be_hidden()
    composer = chat.locator("textarea")
    await composer.fill("Ja, ik ben er. Vertel maar.")
    await composer.press("Enter")
    await youth.wait_for("message", lambda m: m["sender"] == "counselor")
    await youth.call("message", {"client_id": "v-1", "text": "Het gaat over thuis."})
    await expect(chat.locator(".transcript")).to_contain_text("Het gaat over thuis.")
    await shot(anna, "phone-chat")
    await no_axe_findings(anna)

    # The composer stays in view when an on-screen keyboard takes half the height.
    await anna.set_viewport_size({"width": size[0], "height": size[1] // 2})
    box = await composer.bounding_box()
    assert box and box["y"] + box["height"] <= size[1] // 2, box
    await expect(chat.locator(".msg").last).to_be_in_viewport()
    await shot(anna, "phone-keyboard")
    await anna.set_viewport_size({"width": size[0], "height": size[1]})

    # In the queue view, a message in the chat shows as a count on its switch.
    await switcher.get_by_role("button", name=re.compile("Wachtrij")).click()
    await expect(anna.locator("#queue-heading")).to_be_visible()
    await expect(chat).to_be_hidden()
    await youth.call("message", {"client_id": "v-2", "text": "Ben je er nog?"})
    chat_switch = switcher.get_by_role("button", name=re.compile("Bezoeker"))
    await expect(chat_switch.locator(".count")).to_have_text("1")
    await shot(anna, "phone-unread")
    await chat_switch.click()
    await expect(chat).to_be_visible()
    await expect(chat_switch.locator(".count")).to_have_count(0)

    # The end and the wrap-up, on the small screen too.
    await chat.get_by_role("button", name="Beëindigen").click()
    await anna.locator("#dlg-end").get_by_role("button", name="Beëindigen").click()
    wrapup = chat.locator("form.wrapup")
    await wrapup.get_by_label("Onderwerp").select_option("home")
    await wrapup.get_by_label("Uitkomst").select_option("listened")
    await shot(anna, "phone-wrap-up")
    await no_axe_findings(anna)
    await wrapup.get_by_role("button", name="Opslaan").click()
    await expect(chat).to_have_count(0)
    await expect(anna.locator("#queue-heading")).to_be_visible()
    await youth.close()


async def test_a_whole_chat_on_a_phone(live_server: LiveServer, desk: Desk) -> None:
    await whole_chat_on_a_small_screen(live_server, desk, "anna", (390, 844))


async def test_a_whole_chat_on_a_tablet(live_server: LiveServer, desk: Desk) -> None:
    await whole_chat_on_a_small_screen(live_server, desk, "tom", (820, 1180))
