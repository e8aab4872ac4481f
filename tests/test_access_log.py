"""The access log: secret path segments replaced, no query strings, no addresses."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from helpchat.web.access_log import redact_path

TOKEN = "Zk3f9QmT2xLw8PqR4sVb7nYc"


@pytest.mark.parametrize(("path", "logged"), [
    (f"/setup/{TOKEN}", "/setup/…"),
    (f"/invite/{TOKEN}", "/invite/…"),
    (f"/shifts/feed/abc123/{TOKEN}.ics", "/shifts/feed/…"),
    ("/shifts/", "/shifts/"),
    ("/admin/counselors", "/admin/counselors"),
])
def test_redact_path_replaces_only_secret_segments(path: str, logged: str) -> None:
    assert redact_path(path) == logged


async def test_access_log_lines_hold_no_secret_query_or_address(
    http: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    for path in (f"/setup/{TOKEN}", f"/invite/{TOKEN}", f"/shifts/feed/abc/{TOKEN}.ics",
                 "/widget/?origin=https%3A%2F%2Fpartner.example&lang=nl",
                 "/socket.io/?EIO=4&transport=polling"):
        await (await http.get(path)).read()
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 5, lines
    text = "\n".join(lines)
    assert TOKEN not in text and "partner" not in text and "?" not in text
    assert "127.0.0.1" not in text
    assert '"GET /setup/… HTTP/1.1" 410' in lines[0]
    assert '"GET /invite/… HTTP/1.1" 410' in lines[1]
    assert '"GET /shifts/feed/… HTTP/1.1"' in lines[2]
    assert '"GET /widget/ HTTP/1.1" 200' in lines[3]
