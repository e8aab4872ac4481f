"""The embeddable widget in Chromium, embedded on a page of another origin (issue 3).

Every test drives the real server process (tests/e2e/conftest.py) through the loader a site
pastes; counselors are python-socketio clients. States are photographed at phone and desktop
size into test-output/screenshots/.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import socketio
from playwright.async_api import BrowserContext, Frame, FrameLocator, Page, WebSocketRoute, expect

from helpchat import proof
from helpchat.store import Store
from helpchat.store.conversations import Caps
from tests.e2e.conftest import (
    CounselorFactory,
    HostSite,
    LiveCounselor,
    LiveServer,
    LiveServerFactory,
    axe_violations,
    snap,
)
from tests.support import eventually, visitor

LAUNCHER = re.compile(r"chat", re.IGNORECASE)


# --- helpers -----------------------------------------------------------------------------------


def embed_page(site: HostSite, server: LiveServer, *, lang: str = "nl", copies: int = 1,
               title: str = "Jeugdhulp Voorbeeld") -> str:
    tag = f'<script src="{server.url}/widget.js" data-lang="{lang}" async></script>'
    return site.page(tag * copies, title=title)


def chat(page: Page) -> FrameLocator:
    return page.frame_locator("helpchat-widget iframe")


async def chat_frame(page: Page) -> Frame:
    handle = await page.locator("helpchat-widget iframe").element_handle()
    frame = await handle.content_frame() if handle else None
    assert frame is not None
    await frame.wait_for_load_state("domcontentloaded")
    return frame


async def open_widget(page: Page, url: str) -> FrameLocator:
    await page.goto(url)
    await page.get_by_role("button", name=LAUNCHER).click()
    return chat(page)


async def start_chat(widget: FrameLocator, *, urgent: bool = False,
                     topic: str | None = None) -> None:
    await expect(widget.locator("#view-ready")).to_be_visible()
    if topic:
        await widget.get_by_label(re.compile("Waar wil je over praten")).select_option(topic)
    await widget.get_by_role("radio", name="Ja" if urgent else "Nee").check()
    await widget.get_by_role("button", name="Start de chat").click()
    await expect(widget.locator("#queue-status")).to_contain_text("nummer")


async def assert_accessible(target: Page | Frame) -> None:
    found = await axe_violations(target)
    assert found == [], json.dumps(found, indent=2, ensure_ascii=False)


def transcript(widget: FrameLocator) -> Any:
    return widget.get_by_role("log")


# --- states ------------------------------------------------------------------------------------


async def test_unavailable_shows_contacts_with_112_first(
    page: Page, live_server: LiveServer, host_site: HostSite
) -> None:
    widget = await open_widget(page, embed_page(host_site, live_server))

    await expect(widget.get_by_role("heading", name="Er is nu geen hulpverlener beschikbaar")) \
        .to_be_visible()
    contacts = widget.locator("#view-unavailable .contact")
    await expect(contacts.first).to_contain_text("112")
    await expect(contacts.first).to_have_class(re.compile("contact-urgent"))
    await expect(widget.locator("#view-unavailable a[href='tel:112']")).to_have_text("Bel 112")
    await expect(widget.locator("#view-unavailable a[href='tel:08000113']")).to_be_visible()
    await expect(widget.get_by_role("button", name="Snel weg")).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "1-unavailable")


async def test_counselor_going_on_duty_turns_the_widget_ready(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    widget = await open_widget(page, embed_page(host_site, live_server))
    await expect(widget.locator("#view-unavailable")).to_be_visible()

    await counselors("Anna")

    await expect(widget.get_by_role("heading", name="Praat met een hulpverlener")).to_be_visible()
    await expect(widget.get_by_text("Je blijft anoniem. We bewaren geen naam of IP-adres.")) \
        .to_be_visible()
    await expect(widget.get_by_text("Ben je nu in gevaar?")).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "2-ready")


async def turned_away_so_far(store: Store) -> int:
    """Every visit turned away that Insights counted, over all days and hours."""
    total = 0
    async for key in store.redis.scan_iter("hc:ins:*"):
        for name, count in (await store.redis.hgetall(key)).items():
            total += int(count) if name.endswith(":turned_away") else 0
    return total


async def test_an_open_widget_that_a_push_turns_unavailable_counts_one_visit_turned_away(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory,
    live_store: Store,
) -> None:
    anna = await counselors("Anna")
    before = await turned_away_so_far(live_store)
    widget = await open_widget(page, embed_page(host_site, live_server))
    await expect(widget.get_by_role("heading", name="Praat met een hulpverlener")).to_be_visible()

    assert (await anna.call("set_duty", {"on": False}))["ok"]

    await expect(widget.locator("#view-unavailable")).to_be_visible()

    async def counted() -> bool:
        return await turned_away_so_far(live_store) == before + 1

    await eventually(counted)


async def test_urgent_intake_shows_112_at_once_and_queues_urgent(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    anna = await counselors("Anna")
    widget = await open_widget(page, embed_page(host_site, live_server))
    await expect(widget.locator("#view-ready")).to_be_visible()

    await widget.get_by_role("radio", name="Ja").check()

    danger = widget.locator("#danger-box")
    await expect(danger).to_be_visible()
    await expect(danger.get_by_role("alert")).to_contain_text("112")
    await expect(danger.locator(".contact").first).to_contain_text("112")
    await expect(danger.locator("a[href='tel:112']")).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "2-ready-urgent")

    await widget.get_by_label(re.compile("Waar wil je over praten")).select_option("Thuis")
    await widget.get_by_role("button", name="Start de chat").click()
    queue = await anna.wait_for("queue", lambda q: len(q["entries"]) == 1)
    assert queue["entries"][0]["urgent"] is True
    assert queue["entries"][0]["topic"] == "Thuis"


async def test_queue_position_updates_live_and_leaving_shows_contacts(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    await counselors("Anna")
    widget = await open_widget(page, embed_page(host_site, live_server))
    await start_chat(widget)
    status = widget.get_by_role("status").filter(has_text="wachtrij")
    await expect(status).to_have_text(re.compile(r"Je bent nummer 1 in de wachtrij\."))
    await expect(status).to_have_attribute("aria-live", "polite")

    other, _ = await visitor(live_server.url)
    ack = await other.call("request_chat", {"urgent": True})
    assert ack["ok"], ack
    await expect(status).to_contain_text("Je bent nummer 2 in de wachtrij.")
    await assert_accessible(await chat_frame(page))
    await snap(page, "3-queued")

    await other.call("leave_queue", {})
    await expect(status).to_contain_text("Je bent nummer 1 in de wachtrij.")
    await other.close()

    await widget.get_by_role("button", name="Wachtrij verlaten").click()
    await expect(widget.get_by_role("heading", name="Je hebt de wachtrij verlaten")).to_be_visible()
    await expect(widget.locator("#view-ended .contact").first).to_contain_text("112")
    await expect(widget.locator("#feedback")).to_be_hidden()


async def test_first_message_typed_while_queued_reaches_the_counselor(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    anna = await counselors("Anna")
    widget = await open_widget(page, embed_page(host_site, live_server))
    await start_chat(widget)

    await widget.get_by_label("Je bericht").fill("Ik wil iets vertellen over thuis")
    await widget.get_by_label("Je bericht").press("Enter")
    await expect(transcript(widget).locator(".msg-status")).to_have_text("Verstuurd")

    taken = await anna.call("take", {})
    texts = [m["text"] for m in taken["conversation"]["messages"] if m["sender"] == "visitor"]
    assert texts == ["Ik wil iets vertellen over thuis"]
    await expect(widget.get_by_role("heading", name="Je praat met Anna")).to_be_visible()


# --- chatting ----------------------------------------------------------------------------------


async def chatting(page: Page, url: str, counselors: CounselorFactory,
                   name: str = "Anna") -> tuple[FrameLocator, LiveCounselor, str]:
    """A visitor on the host page and a counselor who took the chat."""
    counselor = await counselors(name)
    widget = await open_widget(page, url)
    await start_chat(widget)
    taken = await counselor.call("take", {})
    await expect(widget.get_by_role("heading", name=f"Je praat met {name}")).to_be_visible()
    return widget, counselor, taken["conversation"]["id"]


async def say(counselor: LiveCounselor, cid: str, text: str, client_id: str) -> None:
    await counselor.call("message", {"conversation_id": cid, "client_id": client_id, "text": text})


async def counselor_sees(counselor: LiveCounselor, cid: str) -> list[str]:
    """The visitor's messages as stored in the conversation (a duplicate would show twice)."""
    synced = await counselor.call("sync", {"conversation_id": cid})
    return [m["text"] for m in synced["messages"] if m["sender"] == "visitor"]


async def test_messages_both_ways_with_typing_and_enter_to_send(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)
    box = widget.get_by_label("Je bericht")

    await box.type("Regel een")
    await anna.wait_for("typing", lambda d: d["typing"] is True)
    await box.press("Shift+Enter")
    await box.type("Regel twee")
    await box.press("Enter")
    await expect(box).to_have_value("")
    mine = transcript(widget).locator(".msg-visitor")
    await expect(mine).to_have_count(1)
    await expect(mine.locator(".msg-text")).to_have_text("Regel een\nRegel twee")
    await expect(mine.locator(".msg-status")).to_have_text("Verstuurd")
    received = await anna.wait_for("message", lambda m: m["sender"] == "visitor")
    assert received["text"] == "Regel een\nRegel twee"

    await anna.call("typing", {"conversation_id": cid, "typing": True})
    await expect(widget.locator("#typing")).to_have_text("Anna is aan het typen…")
    await say(anna, cid, "Hoi! Fijn dat je er bent. Wat is er aan de hand?", "c-1")
    theirs = transcript(widget).locator(".msg-counselor")
    await expect(theirs.locator(".msg-text")).to_have_text(
        "Hoi! Fijn dat je er bent. Wat is er aan de hand?")
    await expect(theirs.locator(".msg-sender")).to_have_text("Anna")
    await anna.call("typing", {"conversation_id": cid, "typing": False})
    await expect(widget.locator("#typing")).to_have_text("")

    frame = await chat_frame(page)
    traces = await frame.evaluate("""async () => ({
        cookies: document.cookie,
        local: localStorage.length,
        idb: (await indexedDB.databases()).length,
        session: Object.keys(sessionStorage),
    })""")
    assert traces == {"cookies": "", "local": 0, "idb": 0,
                      "session": traces["session"]} and "helpchat.token" in traces["session"]
    await assert_accessible(frame)
    await snap(page, "4-chatting")

    # Closed, the launcher shows that something new arrived.
    await widget.get_by_role("button", name="Chatvenster sluiten").click()
    await say(anna, cid, "Ben je er nog?", "c-2")
    await expect(page.get_by_role("button", name="Chat met ons Nieuw bericht")).to_be_visible()
    await page.get_by_role("button", name=LAUNCHER).click()
    await expect(page.get_by_role("button", name="Chat met ons", exact=True)).to_be_visible()
    await expect(theirs.last.locator(".msg-text")).to_have_text("Ben je er nog?")


async def test_reload_resumes_the_transcript_and_visitor_can_end(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    url = embed_page(host_site, live_server)
    widget, anna, cid = await chatting(page, url, counselors)
    await widget.get_by_label("Je bericht").fill("Eerste bericht")
    await widget.get_by_label("Je bericht").press("Enter")
    await expect(transcript(widget).locator(".msg-status")).to_have_text("Verstuurd")
    await say(anna, cid, "Ik lees je", "c-1")
    await expect(transcript(widget).locator(".msg")).to_have_count(2)

    await page.reload()  # the panel opens again by itself while a chat runs

    await expect(widget.get_by_role("heading", name="Je praat met Anna")).to_be_visible()
    texts = transcript(widget).locator(".msg-text")
    await expect(texts).to_have_text(["Eerste bericht", "Ik lees je"])

    await widget.get_by_role("button", name="Gesprek beëindigen").click()
    await widget.get_by_role("button", name="Ja, beëindigen").click()
    await expect(widget.get_by_role("heading", name="Je hebt het gesprek beëindigd")) \
        .to_be_visible()
    ended = await anna.wait_for("chat_ended")
    assert ended["by"] == "visitor"


async def test_after_a_reload_a_long_chat_offers_its_earlier_messages_page_by_page(
    page: Page, host_site: HostSite, counselors: CounselorFactory,
    start_live_server: LiveServerFactory,
) -> None:
    server = await start_live_server(HELPCHAT_HISTORY_PAGE_MESSAGES="5",
                                     HELPCHAT_COUNSELOR_MESSAGE_BURST="50")
    url = embed_page(host_site, server)
    counselor = await counselors("Anna", server=server)
    widget = await open_widget(page, url)
    await start_chat(widget)
    cid = (await counselor.call("take", {}))["conversation"]["id"]
    for n in range(1, 13):
        await say(counselor, cid, f"bericht {n}", f"c-{n}")
    texts = transcript(widget).locator(".msg-text")
    await expect(texts).to_have_count(12)
    older = widget.get_by_role("button", name="Eerdere berichten tonen")
    await expect(older).to_be_hidden()  # everything arrived live

    await page.reload()

    await expect(texts).to_have_text([f"bericht {n}" for n in range(8, 13)])
    await snap(page, "widget-earlier-messages")
    await older.click()
    await expect(texts).to_have_text([f"bericht {n}" for n in range(3, 13)])
    await older.click()
    await expect(texts).to_have_text([f"bericht {n}" for n in range(1, 13)])
    await expect(older).to_be_hidden()
    await assert_accessible(await chat_frame(page))


class Network:
    """Cuts the widget's connection to the chat server and restores it (websocket + polling)."""

    def __init__(self, context: BrowserContext) -> None:
        self.context = context
        self.down = False
        self.hang = False
        self.sockets: list[tuple[WebSocketRoute, WebSocketRoute]] = []

    async def install(self) -> None:
        await self.context.route_web_socket(re.compile(r"/socket\.io/"), self._socket)

    async def _socket(self, ws: WebSocketRoute) -> None:
        if self.down and self.hang:
            return  # accepted and then silent, like a proxy that swallows websockets
        if self.down:
            # A browser reports a refused websocket as an error; a mocked one that just closes
            # would leave the client waiting for its connect timeout. An engine.io packet it
            # cannot parse is reported as an error at once.
            ws.send("?")
            await ws.close()
            return
        self.sockets.append((ws, ws.connect_to_server()))

    async def drop(self, hang: bool = False) -> None:
        self.down, self.hang = True, hang
        await self.context.route(re.compile(r"/socket\.io/\?.*transport=polling"),
                                 lambda route: route.abort("internetdisconnected"))
        for page_side, server_side in self.sockets:
            await server_side.close()
            await page_side.close()
        self.sockets.clear()

    async def restore(self) -> None:
        self.down = False
        await self.context.unroute(re.compile(r"/socket\.io/\?.*transport=polling"))


async def test_network_drop_then_resync_without_duplicates(
    context: BrowserContext, page: Page, live_server: LiveServer, host_site: HostSite,
    counselors: CounselorFactory,
) -> None:
    network = Network(context)
    await network.install()
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)
    await say(anna, cid, "Hoe gaat het?", "c-1")
    await expect(transcript(widget).locator(".msg")).to_have_count(1)

    await network.drop()
    await expect(widget.get_by_text("Verbinding verbroken")).to_be_visible()
    await say(anna, cid, "Ben je er nog?", "c-2")  # the widget misses this one
    await widget.get_by_label("Je bericht").fill("Ja, ik ben er")
    await widget.get_by_label("Je bericht").press("Enter")
    await expect(transcript(widget).locator(".msg-visitor .msg-status")).to_have_text(
        "Wordt verstuurd…")
    await assert_accessible(await chat_frame(page))
    await snap(page, "4-reconnecting")

    await network.restore()
    await expect(widget.get_by_text("Verbinding verbroken")).to_be_hidden(timeout=15_000)
    texts = transcript(widget).locator(".msg-text")
    await expect(texts).to_have_text(["Hoe gaat het?", "Ben je er nog?", "Ja, ik ben er"])
    await expect(transcript(widget).locator(".msg-visitor .msg-status")).to_have_text("Verstuurd")
    await anna.wait_for("message", lambda m: m["text"] == "Ja, ik ben er")

    # One more round trip, then count: nothing arrived twice on either side.
    await say(anna, cid, "Fijn", "c-3")
    await expect(texts).to_have_count(4)
    assert not [m for m in anna.client.received("message") if m["text"] == "Ja, ik ben er"]
    assert await counselor_sees(anna, cid) == ["Ja, ik ben er"]


async def test_failed_message_is_retried_with_the_same_client_id(
    context: BrowserContext, page: Page, live_server: LiveServer, host_site: HostSite,
    counselors: CounselorFactory,
) -> None:
    sent: list[dict[str, Any]] = []

    def intercept(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            found = re.match(r'^42/visitor,(\d+)(\["message",.*)$', str(message))
            if found:
                sent.append(json.loads(found.group(2))[1])
                if len(sent) == 1:  # the server "fails" the first attempt
                    error = {"ok": False, "error": {"code": "internal", "message": "oeps"}}
                    ws.send(f"43/visitor,{found.group(1)}{json.dumps([error])}")
                    return
            server.send(message)

        ws.on_message(from_page)

    await context.route_web_socket(re.compile(r"/socket\.io/"), intercept)
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)

    await widget.get_by_label("Je bericht").fill("Hallo?")
    await widget.get_by_label("Je bericht").press("Enter")
    status = transcript(widget).locator(".msg-visitor .msg-status")
    await expect(status).to_contain_text("Niet verstuurd.")
    await assert_accessible(await chat_frame(page))
    await snap(page, "4-failed")
    await status.get_by_role("button", name="Opnieuw proberen").click()
    await expect(status).to_have_text("Verstuurd")

    await anna.wait_for("message", lambda m: m["text"] == "Hallo?")
    assert len(sent) == 2 and sent[0]["client_id"] == sent[1]["client_id"]
    assert await counselor_sees(anna, cid) == ["Hallo?"]


async def test_counselor_ends_then_feedback_and_a_new_chat(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)

    await anna.call("end_chat", {"conversation_id": cid})

    await expect(widget.get_by_role("heading", name="Anna heeft het gesprek beëindigd")) \
        .to_be_visible()
    await expect(widget.locator("#view-ended .contact").first).to_contain_text("112")
    await assert_accessible(await chat_frame(page))
    await snap(page, "5-ended")
    await widget.get_by_role("button", name="Verstuur je mening").click()
    await expect(widget.get_by_text("Kies eerst een cijfer van 1 tot 5.")).to_be_visible()
    await widget.get_by_role("radio", name="4 van de 5").check()
    await widget.get_by_label("Wil je nog iets kwijt?").fill("Dank je wel")
    await widget.get_by_role("button", name="Verstuur je mening").click()
    await expect(widget.get_by_text("Bedankt voor je mening!")).to_be_visible()
    await snap(page, "5-ended-feedback")

    await widget.get_by_role("button", name="Start een nieuwe chat").click()
    await expect(widget.get_by_role("heading", name="Praat met een hulpverlener")).to_be_visible()


# --- safety ------------------------------------------------------------------------------------


async def session_storage_of_chat_origin(page: Page, server: LiveServer) -> dict[str, str]:
    """The chat origin's sessionStorage in this tab, read from a blank probe frame on that
    origin (same partition as the widget's iframe, but with no chat code that could write)."""
    probe = f"{server.url}/e2e-storage-probe"
    await page.route(probe, lambda route: route.fulfill(
        status=200, content_type="text/html", body="<!doctype html><title>probe</title>"))
    await page.evaluate("""src => {
        const frame = document.createElement("iframe");
        frame.id = "probe"; frame.src = src; document.body.append(frame);
    }""", probe)
    handle = await page.wait_for_selector("#probe")
    frame = await handle.content_frame() if handle else None
    assert frame is not None
    await frame.wait_for_load_state()
    storage: dict[str, str] = await frame.evaluate(
        "() => Object.fromEntries(Object.entries(sessionStorage))")
    await page.evaluate("() => document.getElementById('probe').remove()")
    return storage


async def test_quick_exit_forgets_everything_and_leaves_no_history(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    start = host_site.page("", path="/start", title="Start")
    url = embed_page(host_site, live_server)
    await page.goto(start)
    widget, anna, cid = await chatting(page, url, counselors)
    entries = await page.evaluate("history.length")
    assert "helpchat.token" in await session_storage_of_chat_origin(page, live_server)

    await widget.get_by_role("button", name="Snel weg").click()

    await page.wait_for_url(host_site.url("/neutral"))
    ended = await anna.wait_for("chat_ended")
    assert ended["conversation_id"] == cid and ended["reason"] == "quick_exit"
    assert await page.evaluate("history.length") == entries  # replaced, not added
    await page.go_back()
    await page.wait_for_url(start)  # the page with the chat is not in the history
    await page.goto(url)
    assert await session_storage_of_chat_origin(page, live_server) == {}


async def test_escape_three_times_is_a_quick_exit(
    page: Page, live_server: LiveServer, host_site: HostSite
) -> None:
    url = embed_page(host_site, live_server)
    widget = await open_widget(page, url)
    await expect(widget.locator("#view-unavailable")).to_be_visible()
    await widget.locator("#unavailable-title").click()  # keyboard focus inside the chat
    for _ in range(3):
        await page.keyboard.press("Escape")
    await page.wait_for_url(host_site.url("/neutral"))

    # Pressed on the host page while the chat is open, it works as well.
    await page.goto(url)
    await page.get_by_role("button", name=LAUNCHER).click()
    await expect(chat(page).locator("#view-unavailable")).to_be_visible()
    await page.get_by_role("heading", name="Jeugdhulp Voorbeeld").click()
    for _ in range(3):
        await page.keyboard.press("Escape")
    await page.wait_for_url(host_site.url("/neutral"))


async def test_html_from_the_counselor_is_shown_as_text(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)
    payload = ('<img src=x onerror="alert(1)"><script>alert(2)</script>'
               '<b>vet</b> <a href="javascript:alert(3)">klik</a>')

    await say(anna, cid, payload, "xss-1")

    message = transcript(widget).locator(".msg-counselor .msg-text")
    await expect(message).to_have_text(payload)
    assert await transcript(widget).locator("img, script, b, a").count() == 0
    assert dialogs == []


# --- the loader --------------------------------------------------------------------------------


async def test_loader_included_twice_gives_one_launcher_and_loads_nothing_until_clicked(
    page: Page, live_server: LiveServer, host_site: HostSite
) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    await page.goto(embed_page(host_site, live_server, copies=2))
    launcher = page.get_by_role("button", name=LAUNCHER)
    await expect(launcher).to_have_count(1)
    assert await page.locator("helpchat-widget").count() == 1
    chat_requests = [u for u in requests if u.startswith(live_server.url)]
    assert chat_requests and all(u == f"{live_server.url}/widget.js" for u in chat_requests)
    await assert_accessible(page)

    await launcher.click()
    await expect(chat(page).locator("#view-unavailable")).to_be_visible()
    await expect(launcher).to_have_attribute("aria-expanded", "true")
    await chat(page).get_by_role("button", name="Chatvenster sluiten").click()
    await expect(page.locator("helpchat-widget iframe")).to_be_hidden()
    await expect(launcher).to_be_focused()


async def test_loader_is_small_and_carries_the_contacts(live_server: LiveServer) -> None:
    async with aiohttp.ClientSession(auto_decompress=False) as http:
        response = await http.get(f"{live_server.url}/widget.js",
                                  headers={"Accept-Encoding": "gzip"})
        body = await response.read()
    assert response.headers["Content-Type"].startswith("text/javascript")
    raw = gzip.decompress(body) if response.headers.get("Content-Encoding") == "gzip" else body
    assert len(gzip.compress(raw)) <= 8 * 1024
    assert b"0800-0113" in raw and b"/*@config*/" not in raw


async def test_english_from_data_lang(
    page: Page, live_server: LiveServer, host_site: HostSite
) -> None:
    await page.goto(embed_page(host_site, live_server, lang="en"))
    await page.get_by_role("button", name="Chat with us").click()
    widget = chat(page)
    await expect(widget.get_by_role("heading", name="No counselor is available right now")) \
        .to_be_visible()
    await expect(widget.get_by_role("button", name="Quick exit")).to_be_visible()
    await expect(widget.locator("#view-unavailable a[href='tel:112']")).to_have_text("Call 112")


async def test_page_from_an_origin_not_allowed_cannot_connect(
    page: Page, live_server: LiveServer, foreign_site: HostSite
) -> None:
    url = foreign_site.page(
        f'<script src="{live_server.url}/widget/socket.io.min.js"></script>'
        f'<script src="{live_server.url}/widget.js" async></script>')
    await page.goto(url)

    outcome = await page.evaluate("""url => new Promise(resolve => {
        const socket = io(url, {transports: ["websocket"], reconnection: false});
        socket.on("connect", () => resolve("connected"));
        socket.on("connect_error", () => resolve("refused"));
    })""", f"{live_server.url}/visitor")
    assert outcome == "refused"

    # The chat page refuses to be framed there; the loader shows its contacts instead.
    await page.get_by_role("button", name=LAUNCHER).click()
    fallback = page.locator("helpchat-widget .fallback")
    await expect(fallback).to_contain_text("De chat is nu niet bereikbaar.")
    await expect(fallback.locator("li").first).to_contain_text("112")


async def test_contacts_still_shown_when_the_server_stops(
    context: BrowserContext, page: Page, host_site: HostSite,
    start_live_server: LiveServerFactory,
) -> None:
    server = await start_live_server()
    url = embed_page(host_site, server)
    widget = await open_widget(page, url)
    await expect(widget.locator("#view-unavailable")).to_be_visible()
    later = await context.new_page()
    await later.goto(url)  # the loader is here, the chat was never opened

    server.stop(graceful=False)

    await expect(widget.get_by_role("heading", name="We kunnen de chat nu niet bereiken")) \
        .to_be_visible()
    await expect(widget.locator("#view-unavailable .contact").first).to_contain_text("112")
    await snap(page, "6-offline")
    await later.get_by_role("button", name=LAUNCHER).click()
    fallback = later.locator("helpchat-widget .fallback")
    await expect(fallback).to_contain_text("De chat is nu niet bereikbaar.")
    await expect(fallback.locator("li").first).to_contain_text("112")
    await expect(fallback.locator("a[href='tel:112']")).to_be_visible()
    await expect(fallback.get_by_role("button", name="Snel weg")).to_be_visible()
    await assert_accessible(later)
    await snap(later, "6-offline-loader")
    await fallback.get_by_role("button", name="Snel weg").click()
    await later.wait_for_url(host_site.url("/neutral"))


async def test_cross_site_host_chats_with_the_token_in_memory(
    context: BrowserContext, page: Page, live_server: LiveServer, cross_site: HostSite,
    counselors: CounselorFactory,
) -> None:
    """Chat server and host page on different sites: Chromium denies the iframe sessionStorage.
    The chat still works and survives a dropped connection; only a reload cannot resume."""
    network = Network(context)
    await network.install()
    url = embed_page(cross_site, live_server)
    widget, anna, cid = await chatting(page, url, counselors)

    await network.drop()
    await expect(widget.get_by_text("Verbinding verbroken")).to_be_visible()
    await say(anna, cid, "Nog steeds hier", "c-1")
    await network.restore()
    await expect(widget.get_by_text("Verbinding verbroken")).to_be_hidden(timeout=15_000)
    await expect(transcript(widget).locator(".msg-text")).to_have_text(["Nog steeds hier"])
    await widget.get_by_label("Je bericht").fill("Ik ook")
    await widget.get_by_label("Je bericht").press("Enter")
    await anna.wait_for("message", lambda m: m["text"] == "Ik ook")

    await page.reload()  # the panel opens again: the chat ran when the page went away
    usable = "#view-ready:not([hidden]), #view-chat:not([hidden])"
    await expect(chat(page).locator(usable)).to_be_visible()


# --- keyboard, zoom, colors, demo --------------------------------------------------------------


async def test_keyboard_only_from_launcher_to_first_message(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    anna = await counselors("Anna")
    await page.goto(embed_page(host_site, live_server))
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("button", name=LAUNCHER)).to_be_focused()
    await page.keyboard.press("Enter")
    widget = chat(page)
    await expect(widget.get_by_role("heading", name="Praat met een hulpverlener")).to_be_focused()

    await page.keyboard.press("Shift+Tab")  # quick exit is always a key or two away
    await expect(widget.get_by_role("button", name="Chatvenster sluiten")).to_be_focused()
    await page.keyboard.press("Shift+Tab")
    await expect(widget.get_by_role("button", name="Snel weg")).to_be_focused()
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await expect(widget.get_by_label(re.compile("Waar wil je over praten"))).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(widget.get_by_role("radio", name="Ja")).to_be_focused()
    await page.keyboard.press("ArrowRight")  # arrows move within the radio group
    await expect(widget.get_by_role("radio", name="Nee")).to_be_checked()
    await page.keyboard.press("Tab")
    await expect(widget.get_by_role("button", name="Start de chat")).to_be_focused()
    await page.keyboard.press("Enter")

    await expect(widget.get_by_label("Je bericht")).to_be_focused()
    await page.keyboard.type("Alleen met het toetsenbord")
    await page.keyboard.press("Enter")
    taken = await anna.call("take", {})
    assert [m["text"] for m in taken["conversation"]["messages"]] == ["Alleen met het toetsenbord"]


async def test_text_at_200_percent_still_fits(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    await counselors("Anna")
    widget = await open_widget(page, embed_page(host_site, live_server))
    await expect(widget.locator("#view-ready")).to_be_visible()
    frame = await chat_frame(page)
    await frame.evaluate("document.documentElement.style.fontSize = '200%'")
    for width, height in ((375, 667), (1280, 800)):
        await page.set_viewport_size({"width": width, "height": height})
        overflow = await frame.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"horizontal scrolling at {width}px"
    await expect(widget.get_by_role("button", name="Snel weg")).to_be_visible()
    await snap(page, "2-ready-text-200")


async def test_a_light_custom_color_keeps_text_readable(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    await counselors("Anna")
    url = host_site.page(
        f'<script src="{live_server.url}/widget.js" data-color="#ffd23f" '
        'data-title="Praat met ons" data-position="left" async></script>')
    await page.goto(url)
    launcher = page.get_by_role("button", name=re.compile("Praat met ons.*chat", re.I))
    await expect(launcher).to_be_visible()
    await assert_accessible(page)
    await launcher.click()
    widget = chat(page)
    await expect(widget.locator("#view-ready")).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "7-custom-color")


async def test_demo_page_embeds_the_widget(page: Page, live_server: LiveServer) -> None:
    await page.goto(f"{live_server.url}/demo")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        "Zit je ergens mee? Praat erover.")
    await page.get_by_role("button", name=LAUNCHER).click()
    await expect(chat(page).locator("#view-unavailable")).to_be_visible()
    await assert_accessible(page)
    await snap(page, "0-demo")


async def test_chat_handed_back_to_the_queue_shows_waiting_again(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)
    await anna.call("transfer", {"conversation_id": cid, "to": None})
    await expect(widget.get_by_role("heading", name="Je staat in de wachtrij")).to_be_visible()
    await expect(widget.locator("#queue-status")).to_contain_text("Je bent nummer 1")
    await expect(transcript(widget)).to_contain_text(
        "Je gesprek gaat naar een andere hulpverlener. Je staat vooraan in de wachtrij.")
    await assert_accessible(await chat_frame(page))
    await snap(page, "handed-back-queued")
    bert = await counselors("Bert")
    await bert.call("take", {})
    await expect(widget.get_by_role("heading", name="Je praat met Bert")).to_be_visible()


async def push_from_another_process(redis_url: str, vid: str, event: str,
                                    data: dict[str, Any]) -> None:
    """An emit to the visitor's room as another server process makes it: python-socketio's
    Redis manager publishing on the servers' channel (app.py), delivered by the live server."""
    manager = socketio.AsyncRedisManager(redis_url, channel="helpchat", write_only=True)
    await manager.emit(event, data, namespace="/visitor", room=f"v:{vid}")
    await manager.redis.aclose()


async def test_a_stale_queue_position_from_another_process_does_not_end_the_chat_view(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory,
    live_store: Store,
) -> None:
    """Another process pushed the queue as read just before the take: its position for this
    youth arrives after chat_started. The widget asks the server (sync), which says chatting."""
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)
    conv = await live_store.conversations.get(cid)
    assert conv is not None
    # A message the widget missed (stored, never pushed): it shows once the widget has synced,
    # so the check below runs after the widget weighed the server's answer.
    added = await live_store.conversations.add_message(
        cid, sender="counselor", text="Ben je er nog?", now_ms=int(time.time() * 1000),
        counselor_name="Anna", caps=Caps(1000, 1_000_000))
    assert not isinstance(added, str), added

    await push_from_another_process(live_server.redis_url, conv.vid, "queue_position",
                                    {"position": 1, "estimated_wait_s": None, "reason": None})

    queued = widget.get_by_role("heading", name="Je staat in de wachtrij")
    await expect(transcript(widget).get_by_text("Ben je er nog?").or_(queued)).to_be_visible()
    await expect(queued).to_be_hidden()
    await expect(widget.get_by_role("heading", name="Je praat met Anna")).to_be_visible()
    await expect(widget.locator("#queue-status")).to_have_text("")
    await expect(widget.get_by_role("button", name="Wachtrij verlaten")).to_be_hidden()
    await say(anna, cid, "Ik ben er nog", "c-after-stale")
    await expect(transcript(widget)).to_contain_text("Ik ben er nog")
    await expect(widget.get_by_role("heading", name="Je praat met Anna")).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "stale-queue-position-still-chatting")


async def test_a_hand_back_taken_again_before_the_check_answers_stays_with_the_new_counselor(
    context: BrowserContext, page: Page, live_server: LiveServer, host_site: HostSite,
    counselors: CounselorFactory,
) -> None:
    """The widget checks a hand-back with `sync`; its answer ("queued") is held on the wire
    until Bert took the chat. The late answer is old news: the widget stays with Bert."""
    asked: list[str] = []
    held: list[tuple[WebSocketRoute, str | bytes]] = []
    armed = False

    def intercept(ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()

        def from_page(message: str | bytes) -> None:
            found = re.match(r'^42/visitor,(\d+)\["sync",', str(message))
            if armed and found:
                asked.append(found.group(1))
            server.send(message)

        def from_server(message: str | bytes) -> None:
            if asked and not held and str(message).startswith(f"43/visitor,{asked[0]}["):
                held.append((ws, message))
                return
            ws.send(message)

        ws.on_message(from_page)
        server.on_message(from_server)

    await context.route_web_socket(re.compile(r"/socket\.io/"), intercept)
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)
    bert = await counselors("Bert")
    armed = True
    await anna.call("transfer", {"conversation_id": cid, "to": None})

    async def answer_held() -> bool:
        return bool(held)

    await eventually(answer_held)
    page_side, answer = held[0]
    assert re.search(r'"state":\s*"queued"', str(answer)), answer
    await bert.call("take", {})
    await expect(widget.get_by_role("heading", name="Je praat met Bert")).to_be_visible()
    await expect(widget.locator("#announcer")).to_have_text(
        "Bert is er nu voor je. Je kunt chatten.")

    page_side.send(answer)  # the late "queued"; Bert's message comes after it on the wire
    await say(bert, cid, "Hoi, ik ben Bert", "c-bert")
    await expect(transcript(widget)).to_contain_text("Hoi, ik ben Bert")
    await expect(widget.get_by_role("heading", name="Je staat in de wachtrij")).to_be_hidden()
    await expect(widget.get_by_role("heading", name="Je praat met Bert")).to_be_visible()


async def test_blocked_visitor_gets_contacts_and_no_new_chat(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    widget, anna, cid = await chatting(page, embed_page(host_site, live_server), counselors)
    await anna.call("block", {"conversation_id": cid, "reason": "test"})
    await expect(widget.get_by_role("heading", name="Het gesprek is beëindigd")).to_be_visible()
    await expect(widget.locator("#view-ended .contact").first).to_contain_text("112")
    await expect(widget.get_by_role("button", name="Start een nieuwe chat")).to_be_hidden()
    await expect(widget.locator("#feedback")).to_be_hidden()


async def test_host_page_styles_and_widget_styles_do_not_mix(
    page: Page, live_server: LiveServer, host_site: HostSite
) -> None:
    hostile = ("<style>* { font-family: serif !important; color: lime !important; }"
               "button { display: none; } div { border: 9px solid red; }</style>"
               "<button id='own'>Own button</button>")
    await page.goto(host_site.page(
        hostile + f'<script src="{live_server.url}/widget.js" async></script>'))
    launcher = page.get_by_role("button", name=LAUNCHER)
    await expect(launcher).to_be_visible()
    style = await launcher.evaluate(
        "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.color]; }")
    assert style == ["rgb(31, 95, 168)", "rgb(255, 255, 255)"]
    own = await page.locator("#own").evaluate("el => getComputedStyle(el).display")
    assert own == "none"  # the loader's styles never touch the host page's elements


async def test_loader_works_on_a_host_page_with_a_strict_policy(
    page: Page, live_server: LiveServer, host_site: HostSite
) -> None:
    policy = (f"default-src 'self'; script-src {live_server.url}; frame-src {live_server.url}; "
              "style-src 'self'; require-trusted-types-for 'script'")
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Policy" in msg.text else None)
    await page.goto(host_site.page(
        f'<script src="{live_server.url}/widget.js" async></script>',
        head=f'<meta http-equiv="Content-Security-Policy" content="{policy}">'))
    launcher = page.get_by_role("button", name=LAUNCHER)
    color = await launcher.evaluate("el => getComputedStyle(el).backgroundColor")
    assert color == "rgb(31, 95, 168)"  # styled, although the page allows no inline style
    await launcher.click()
    await expect(chat(page).locator("#view-unavailable")).to_be_visible()
    assert violations == []


async def test_closed_shows_the_next_opening_and_the_hours(
    context: BrowserContext, page: Page, live_server: LiveServer, host_site: HostSite
) -> None:
    """The roster decides "closed"; here the server's availability is rewritten on the wire."""
    # In the roster's zone (Europe/Amsterdam by default), which is what the widget shows.
    opens = (datetime.now(ZoneInfo("Europe/Amsterdam")) + timedelta(days=1)).replace(
        hour=14, minute=0, second=0, microsecond=0)
    closed = {
        "available": False, "reason": "closed", "next_open_at": opens.isoformat(),
        "opening_hours": [{"day": opens.date().isoformat(), "from": "14:00", "to": "22:00"}],
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
    widget = await open_widget(page, embed_page(host_site, live_server))

    await expect(widget.get_by_role("heading", name="We zijn nu gesloten")).to_be_visible()
    await expect(widget.locator("#unavailable-next")).to_have_text("Weer open: morgen om 14:00.")
    await expect(widget.locator("#hours-list li")).to_have_text(["morgen: 14:00 – 22:00"])
    await expect(widget.locator("#view-unavailable .contact").first).to_contain_text("112")
    await assert_accessible(await chat_frame(page))
    await snap(page, "1-closed")


async def test_without_a_socket_the_widget_asks_the_availability_api(
    context: BrowserContext, page: Page, live_server: LiveServer, host_site: HostSite,
    counselors: CounselorFactory,
) -> None:
    network = Network(context)
    await network.install()
    await network.drop()  # websocket and polling blocked, plain HTTP still works
    widget = await open_widget(page, embed_page(host_site, live_server))
    await expect(widget.get_by_role("heading", name="Er is nu geen hulpverlener beschikbaar")) \
        .to_be_visible()
    await expect(widget.locator("#view-unavailable .contact").first).to_contain_text("112")

    await counselors("Anna")
    await network.restore()
    await expect(widget.get_by_role("heading", name="Praat met een hulpverlener")).to_be_visible()




async def test_chat_page_opened_on_its_own_still_has_quick_exit(
    page: Page, live_server: LiveServer, host_site: HostSite
) -> None:
    await page.goto(host_site.page("", path="/before", title="Before"))
    await page.goto(f"{live_server.url}/widget/?lang=nl")
    await expect(page.get_by_role("heading", name="Er is nu geen hulpverlener beschikbaar")) \
        .to_be_visible()
    await expect(page.get_by_role("button", name="Chatvenster sluiten")).to_be_hidden()
    await page.get_by_role("button", name="Snel weg").click()
    await page.wait_for_url(host_site.url("/neutral"))
    await page.go_back()
    await page.wait_for_url(host_site.url("/before"))


async def test_messages_from_other_windows_are_ignored(
    page: Page, live_server: LiveServer, host_site: HostSite, foreign_site: HostSite
) -> None:
    stranger = foreign_site.page("", path="/stranger", title="Stranger")
    url = embed_page(host_site, live_server)
    widget = await open_widget(page, url)
    await expect(widget.locator("#view-unavailable")).to_be_visible()

    # Pretending to be the chat: the host page itself, and a third-party frame on it.
    fake = {"type": "helpchat:quick_exit"}
    await page.evaluate("message => window.postMessage(message, '*')", fake)
    await page.evaluate("""src => new Promise(resolve => {
        const frame = document.createElement("iframe");
        frame.src = src; frame.onload = resolve; document.body.append(frame);
    })""", stranger)
    third = page.frame(url=stranger)
    assert third is not None
    await third.evaluate("message => window.parent.postMessage(message, '*')", fake)
    # Pretending to be the host page, towards the chat: any other origin or window.
    frame = await chat_frame(page)
    await frame.evaluate("""([message, origin]) => {
        window.dispatchEvent(new MessageEvent("message", {data: message, origin, source: window}));
        window.dispatchEvent(new MessageEvent("message", {data: message, origin: "https://evil.example",
                                                          source: window.parent}));
    }""", [fake, host_site.origin])
    await page.wait_for_timeout(300)  # a quick exit would have navigated by now
    assert page.url == url
    await expect(widget.locator("#view-unavailable .contact").first).to_contain_text("112")


async def test_a_hanging_connection_shows_the_contacts_within_seconds(
    context: BrowserContext, page: Page, live_server: LiveServer, host_site: HostSite
) -> None:
    network = Network(context)
    await network.install()
    await network.drop(hang=True)  # no error ever comes: only the client's 8 s timeout would
    widget = await open_widget(page, embed_page(host_site, live_server))
    await expect(widget.get_by_role("heading", name="Er is nu geen hulpverlener beschikbaar")) \
        .to_be_visible(timeout=6_000)


async def test_under_a_flood_the_widget_solves_the_challenge_invisibly_and_joins(
    page: Page, start_live_server: LiveServerFactory, host_site: HostSite,
    counselors: CounselorFactory, live_store: Store,
) -> None:
    """Issue 8, point 3: past the join threshold the server answers `rate_limited` with an
    ALTCHA challenge; the widget solves it in Web Workers (altcha's own PBKDF2 worker, served
    from node_modules) and joins, without showing anything but the queue."""
    gated = await start_live_server(HELPCHAT_PROOF_JOINS_PER_MINUTE="1")
    anna = await counselors("Anna")
    earlier, _ = await visitor(gated.url)
    assert (await earlier.call("request_chat", {}))["ok"]  # the one free join of this minute
    probe, _ = await visitor(gated.url)
    refused = await probe.call("request_chat", {})
    assert refused["error"]["code"] == "rate_limited" and refused["error"]["challenge"]
    await probe.close()

    widget = await open_widget(page, embed_page(host_site, gated))
    await start_chat(widget)
    await expect(widget.locator("#queue-status")).to_contain_text("nummer 2")
    await expect(widget.locator("#busy-box")).to_be_hidden()
    assert [k async for k in live_store.redis.scan_iter("hc:pow:used:*")]  # a proof was spent
    await anna.call("take", {})
    taken = await anna.call("take", {})
    await expect(widget.locator("#view-chat")).to_contain_text("Anna")
    assert taken["conversation"]["id"]
    await earlier.close()


async def test_past_the_admissions_of_a_minute_the_widget_says_so_with_the_contacts(
    page: Page, start_live_server: LiveServerFactory, host_site: HostSite,
    counselors: CounselorFactory,
) -> None:
    gated = await start_live_server(HELPCHAT_PROOF_JOINS_PER_MINUTE="1",
                                    HELPCHAT_PROOF_ADMISSIONS_PER_MINUTE="1")
    await counselors("Anna")
    youths = [(await visitor(gated.url))[0] for _ in range(2)]
    assert (await youths[0].call("request_chat", {}))["ok"]  # free
    challenge = (await youths[1].call("request_chat", {}))["error"]["challenge"]
    solved = proof.solve(challenge)
    assert (await youths[1].call("request_chat", {"proof": solved}))["ok"]  # the one admission

    widget = await open_widget(page, embed_page(host_site, gated))
    await expect(widget.locator("#view-ready")).to_be_visible()
    await widget.get_by_role("radio", name="Nee").check()
    await widget.get_by_role("button", name="Start de chat").click()
    busy = widget.locator("#busy-box")
    await expect(busy).to_be_visible()
    await expect(busy.get_by_role("status")).to_contain_text("erg druk")
    await expect(busy.get_by_role("status")).to_contain_text("seconden")
    await expect(busy.locator(".contact").first).to_contain_text("112")
    await expect(busy.locator("a[href='tel:112']")).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "2-ready-busy")
    for client in youths:
        await client.close()
