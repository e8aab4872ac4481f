"""Settings changed on the admin page apply on every process without a restart, bad input
saves nothing, and every change is in the audit log."""

from __future__ import annotations

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from helpchat import appkeys
from helpchat.config import Settings
from helpchat.store.settings import EDITABLE
from helpchat.web.admin_settings import form_values
from tests.admin_helpers import WebClient, web_client
from tests.conftest import ServerFactory
from tests.support import PASSWORD, create_account, eventually, visitor

PARTNER = "https://partner.example"


def url_of(server: TestServer) -> str:
    return str(server.make_url("")).rstrip("/")


def settings_form(current: Settings, **changes: str) -> dict[str, str]:
    return {**form_values(current), **changes}


async def connects(url: str, origin: str) -> bool:
    try:
        client, _ = await visitor(url, headers={"Origin": origin})
    except Exception:  # noqa: BLE001 - socketio raises ConnectionError when refused
        return False
    await client.close()
    return True


def test_every_editable_setting_has_a_form_field() -> None:
    assert set(form_values(Settings())) == set(EDITABLE)


async def test_change_on_one_process_applies_on_another_without_restart(
    start_server: ServerFactory,
) -> None:
    first, second = await start_server(), await start_server()
    admin = await web_client(url_of(first), first.app, "root")
    assert not await connects(url_of(second), PARTNER)
    form = settings_form(first.app[appkeys.HUB].settings, widget_origins=PARTNER,
                         queue_cap="3", allow_unscheduled_duty="")
    status, _, location = await admin.post("/admin/settings", form)
    assert status == 303 and "notice=admin.notice.saved" in location
    assert first.app[appkeys.HUB].settings.queue_cap == 3  # the saving process at once

    async def second_has_it() -> bool:
        return second.app[appkeys.HUB].settings.queue_cap == 3

    await eventually(second_has_it, timeout=5)
    assert await connects(url_of(second), PARTNER)
    assert second.app[appkeys.HUB].settings.allow_unscheduled_duty is False
    third = await start_server()  # a process started later reads them before serving
    assert third.app[appkeys.HUB].settings.widget_origins == (PARTNER,)

    entries = await first.app[appkeys.STORE].audit.recent()
    changed = {e.target: e.detail for e in entries if e.action == "settings.changed"}
    assert changed.keys() == {"widget_origins", "queue_cap", "allow_unscheduled_duty"}
    assert changed["queue_cap"] == "25 -> 3"
    assert all(e.actor_name == "root" for e in entries)
    await admin.close()


@pytest.mark.parametrize(("field", "value", "reason"), [
    ("queue_cap", "veel", "getal"),
    ("queue_cap", "0", "getal"),
    ("widget_color", "red", "kleur"),
    ("widget_origins", "ftp://files.example", "adres per regel"),
    ("widget_origins", "https://site.example/path", "adres per regel"),
    ("quick_exit_url", "ftp://plain.example", "https://"),
    ("quick_exit_url", "javascript:alert(1)", "https://"),
    ("widget_title", "", "Vul dit veld in"),
    ("transcript_retention_hours", "nan", "getal"),
])
async def test_bad_setting_rerenders_the_form_with_the_reason_and_saves_nothing(
    server: TestServer, base_url: str, field: str, value: str, reason: str
) -> None:
    admin = await web_client(base_url, server.app, "root")
    form = settings_form(server.app[appkeys.HUB].settings, **{"queue_cap": "7", field: value})
    status, body, _ = await admin.post("/admin/settings", form)
    assert status == 400
    assert 'id="err-' + field + '"' in body and reason in body
    assert f'value="{value}"' in body or f">{value}<" in body  # what was typed is kept
    store = server.app[appkeys.STORE]
    assert await store.settings.overrides() == {} and await store.settings.version() == 0
    assert server.app[appkeys.HUB].settings.queue_cap == 25
    await admin.close()


async def test_settings_page_shows_values_in_force(server: TestServer, base_url: str) -> None:
    admin: WebClient = await web_client(base_url, server.app, "root")
    status, body = await admin.get("/admin/settings?lang=en")
    assert status == 200 and "Changes apply within a few seconds" in body
    assert 'value="25"' in body
    await admin.close()


async def test_production_refuses_a_plain_http_quick_exit_address(
    start_server: ServerFactory,
) -> None:
    # Two-factor for admins (the production default) is not what this test is about.
    server = await start_server(environment="production", admin_two_factor_required=False)
    await create_account(server.app, "root", "admin")
    url = str(server.make_url("")).rstrip("/")
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{url}/api/session",
                                   json={"username": "root", "password": PASSWORD})
        cookie = response.cookies["__Host-helpchat_session"].value
    # A Secure cookie is not sent over http by the client's jar; a browser on https would.
    admin = WebClient(url, aiohttp.ClientSession(
        headers={"Cookie": f"__Host-helpchat_session={cookie}"}))
    form = settings_form(server.app[appkeys.HUB].settings,
                         quick_exit_url="http://www.example.org/")
    status, body, _ = await admin.post("/admin/settings", form)
    assert status == 400 and 'id="err-quick_exit_url"' in body
    assert "begint met https://" in body
    assert (await admin.post("/admin/settings", {**form, "quick_exit_url":
                                                 "https://www.example.org/"}))[0] == 303
    await admin.close()
