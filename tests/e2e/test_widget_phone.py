"""The widget as a youth on a phone meets it (issue 14, points 1-4): a header of one row, quick
exit one Tab away, a queue place that never goes back without a word, and a chat that is still
open after a reload. Chromium at 320 and 375 px wide and at 1280x800, axe clean, screenshots in
test-output/screenshots/.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Frame, Page, expect

from helpchat.store import Store
from tests.e2e.conftest import SCREENSHOTS, CounselorFactory, HostSite, LiveServer, snap
from tests.e2e.test_widget import (
    LAUNCHER,
    assert_accessible,
    chat,
    chat_frame,
    chatting,
    embed_page,
    open_widget,
    start_chat,
)
from tests.support import visitor

LONG_TITLE = "Praat anoniem met een hulpverlener van Jeugdhulp Voorbeeld"  # 58 characters

# The on-screen keyboard shrinks only the visual viewport. Headless Chromium has no keyboard,
# so the host page gets a visualViewport whose height the test sets, with the browser's events.
FAKE_KEYBOARD = """
(() => {
  if (window !== window.top) return;
  const visual = new EventTarget();
  let keyboard = 0;
  for (const [name, get] of Object.entries({
    height: () => window.innerHeight - keyboard, width: () => window.innerWidth,
    offsetTop: () => 0, offsetLeft: () => 0, pageTop: () => 0, pageLeft: () => 0, scale: () => 1,
  })) Object.defineProperty(visual, name, { get });
  Object.defineProperty(window, "visualViewport", { value: visual, configurable: true });
  window.__openKeyboard = (px) => { keyboard = px; visual.dispatchEvent(new Event("resize")); };
})();
"""


def titled_page(site: HostSite, server: LiveServer, title: str = LONG_TITLE) -> str:
    return site.page(f'<script src="{server.url}/widget.js" data-title="{title}" async></script>')


async def header_rows(frame: Frame) -> dict[str, Any]:
    """The header's height and whether title, quick exit and close share one line."""
    result: dict[str, Any] = await frame.evaluate("""() => {
        const bar = document.querySelector(".bar").getBoundingClientRect();
        const parts = ["#quick-exit", "#close", ".bar-title"].map(
            s => document.querySelector(s).getBoundingClientRect());
        const middles = parts.map(r => r.top + r.height / 2);
        return {height: bar.height, width: bar.width,
                spread: Math.max(...middles) - Math.min(...middles),
                right: Math.max(...parts.map(r => r.right))};
    }""")
    return result


async def assert_one_row(frame: Frame) -> None:
    rows = await header_rows(frame)
    assert rows["height"] <= 56, rows  # one row of 40 px buttons and padding
    assert rows["spread"] <= 4, rows  # title, "Snel weg" and close on one line
    assert rows["right"] <= rows["width"], rows


async def test_header_is_one_row_at_320_px_with_a_long_title(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    await counselors("Anna")
    await page.set_viewport_size({"width": 320, "height": 568})
    await page.goto(titled_page(host_site, live_server))
    launcher = page.get_by_role("button", name=LAUNCHER)
    box = await launcher.bounding_box()  # the launcher too: one line, inside the screen
    assert box and box["height"] <= 56 and box["x"] + box["width"] <= 320, box
    await expect(launcher).to_have_accessible_name(LONG_TITLE + " (chat)")  # whole, cut or not
    await page.screenshot(path=SCREENSHOTS / "14-1-launcher-long-title-320x568.png")
    await launcher.click()
    widget = chat(page)
    await expect(widget.locator("#view-ready")).to_be_visible()
    frame = await chat_frame(page)
    # The whole title is still the heading's text; only its display is cut short.
    await expect(widget.get_by_role("heading", level=1)).to_have_text(LONG_TITLE)
    for width, height in ((320, 568), (375, 667), (1280, 800)):
        await page.set_viewport_size({"width": width, "height": height})
        await page.wait_for_timeout(150)  # the panel's media query settles
        await assert_one_row(frame)
        await page.screenshot(path=SCREENSHOTS / f"14-1-header-long-title-{width}x{height}.png")
    await assert_accessible(frame)


async def test_header_and_composer_stay_in_sight_with_the_keyboard_open(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    await page.add_init_script(FAKE_KEYBOARD)
    await page.set_viewport_size({"width": 375, "height": 667})
    widget, _, _ = await chatting(page, titled_page(host_site, live_server), counselors)
    await widget.get_by_label("Je bericht").focus()
    await page.evaluate("window.__openKeyboard(290)")  # a typical phone keyboard

    panel = page.locator("helpchat-widget .panel")
    await expect(panel).to_have_css("height", "377px")
    frame = await chat_frame(page)
    await assert_one_row(frame)
    box = await frame.evaluate("""() => {
        const r = document.getElementById("message").getBoundingClientRect();
        const log = document.getElementById("transcript").getBoundingClientRect();
        return {bottom: r.bottom, height: window.innerHeight, log: log.height};
    }""")
    assert box["bottom"] <= box["height"], box  # the composer is above the keyboard
    assert box["log"] >= 48, box  # and the conversation keeps some room
    await assert_accessible(frame)
    await page.screenshot(path=SCREENSHOTS / "14-1-keyboard-open-375x667.png")

    await page.evaluate("window.__openKeyboard(0)")
    await expect(panel).to_have_css("height", "667px")


async def test_quick_exit_is_one_tab_from_where_focus_lands_and_from_the_end(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    await counselors("Anna")
    await page.goto(embed_page(host_site, live_server))
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    widget = chat(page)
    exit_button = widget.get_by_role("button", name="Snel weg")
    await expect(widget.get_by_role("heading", name="Praat met een hulpverlener")).to_be_focused()
    # Announced once the panel opens, for whoever cannot see where the button is.
    await expect(widget.locator("#announcer")).to_have_text(
        "Snel weg nodig? Druk één keer op Tab, of drie keer op Esc.")

    await page.keyboard.press("Tab")
    await expect(exit_button).to_be_focused()

    await widget.get_by_role("button", name="Start de chat").focus()
    await page.keyboard.press("Tab")
    # "Ik heb een code" sits after the start button: the panel's last control.
    await expect(widget.get_by_role("button", name="Ik heb een code")).to_be_focused()
    await page.keyboard.press("Tab")
    await expect(exit_button).to_be_focused()  # not off to the host page
    await page.keyboard.press("Shift+Tab")
    await expect(widget.get_by_role("button", name="Ik heb een code")).to_be_focused()
    await snap(page, "14-2-quick-exit-focus")

    await page.keyboard.press("Shift+Tab")
    await expect(widget.get_by_role("button", name="Start de chat")).to_be_focused()
    await page.keyboard.press("Enter")  # on the start button
    await expect(widget.get_by_label("Je bericht")).to_be_focused()
    await page.keyboard.press("Tab")  # the send button, the last control
    await page.keyboard.press("Tab")
    await expect(exit_button).to_be_focused()
    await assert_accessible(await chat_frame(page))


async def test_a_place_that_goes_back_and_a_wait_that_grows_are_explained(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory,
    live_store: Store,
) -> None:
    await counselors("Anna")
    for _ in range(3):
        await live_store.stats.record_handle_time(600)
    widget = await open_widget(page, embed_page(host_site, live_server))
    await start_chat(widget)
    status = widget.locator("#queue-status")
    await expect(status).to_have_text(
        "Je bent nummer 1 in de wachtrij. Je wacht ongeveer 5 minuten.")

    urgent, _ = await visitor(live_server.url)
    assert (await urgent.call("request_chat", {"urgent": True}))["ok"]
    await expect(status).to_contain_text(
        "Je bent nummer 2 in de wachtrij. Je wacht ongeveer 5 minuten. "
        "Iemand met een dringende vraag gaat even voor.")
    await assert_accessible(await chat_frame(page))
    await snap(page, "14-3-queue-urgent-ahead")

    await urgent.call("leave_queue", {})
    await expect(status).to_have_text(
        "Je bent nummer 1 in de wachtrij. Je wacht ongeveer 5 minuten.")

    # Chats got longer: the next push of the queue would show more minutes at the same place.
    for _ in range(3):
        await live_store.stats.record_handle_time(1800)
    behind, _ = await visitor(live_server.url)
    assert (await behind.call("request_chat", {}))["ok"]
    await expect(status).to_have_text(
        "Je bent nummer 1 in de wachtrij. Je wacht ongeveer 15 minuten. Het duurt wat langer "
        "dan we dachten: er zijn nu minder hulpverleners vrij of de gesprekken duren langer.")
    await snap(page, "14-3-queue-longer")
    await urgent.close()
    await behind.close()


async def test_a_chat_handed_back_ahead_of_the_youth_is_explained(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    anna = await counselors("Anna")
    other, _ = await visitor(live_server.url)
    assert (await other.call("request_chat", {}))["ok"]
    taken = await anna.call("take", {})
    widget = await open_widget(page, embed_page(host_site, live_server))
    await start_chat(widget)
    status = widget.locator("#queue-status")
    await expect(status).to_contain_text("Je bent nummer 1 in de wachtrij.")

    # The other chat goes back to the front of the queue: the place goes back, with a reason.
    await anna.call("transfer", {"conversation_id": taken["conversation"]["id"], "to": None})
    await expect(status).to_contain_text(
        "Je bent nummer 2 in de wachtrij. We weten nog niet hoe lang het duurt. Een gesprek dat "
        "even onderbroken was, gaat weer verder en gaat voor.")
    await assert_accessible(await chat_frame(page))
    await snap(page, "14-3-queue-returned-ahead")
    await other.close()


async def test_a_reload_mid_chat_opens_the_panel_again(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    url = embed_page(host_site, live_server)
    widget, anna, cid = await chatting(page, url, counselors)

    await page.reload()
    panel = page.get_by_role("dialog", name="Chat met ons")
    await expect(panel).to_be_visible()  # nobody clicked the launcher
    await expect(widget.get_by_role("heading", name="Je praat met Anna")).to_be_visible()
    await assert_accessible(await chat_frame(page))
    await snap(page, "14-4-reload-reopens")

    await anna.call("end_chat", {"conversation_id": cid})
    await expect(widget.get_by_role("heading", name="Anna heeft het gesprek beëindigd")) \
        .to_be_visible()
    await page.reload()
    await expect(page.get_by_role("button", name=LAUNCHER)).to_be_visible()
    await expect(panel).to_be_hidden()  # nothing runs: the page stays as the site made it
    assert await page.locator("helpchat-widget iframe").count() == 0


async def test_a_reload_while_queued_opens_the_panel_on_the_same_place(
    page: Page, live_server: LiveServer, host_site: HostSite, counselors: CounselorFactory
) -> None:
    await counselors("Anna")
    await page.set_viewport_size({"width": 375, "height": 667})
    widget = await open_widget(page, embed_page(host_site, live_server))
    await start_chat(widget)
    status = widget.locator("#queue-status")
    await expect(status).to_contain_text("Je bent nummer 1 in de wachtrij.")

    await page.reload()
    await expect(page.get_by_role("dialog", name="Chat met ons")).to_be_visible()
    await expect(status).to_contain_text("Je bent nummer 1 in de wachtrij.")  # still queued
    await assert_accessible(await chat_frame(page))
    await snap(page, "14-4-reload-while-queued")
