"""Every web.AppKey of the application: typed access to shared objects, no module globals."""

from __future__ import annotations

from typing import TYPE_CHECKING

import jinja2
import socketio
from aiohttp import web

from helpchat.config import LiveSettings, Settings

if TYPE_CHECKING:
    from helpchat.realtime.hub import Hub
    from helpchat.store import Store

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey["Store"]("store")
SIO = web.AppKey("sio", socketio.AsyncServer)
HUB = web.AppKey["Hub"]("hub")
TEMPLATES = web.AppKey("templates", jinja2.Environment)
LIVE_SETTINGS = web.AppKey("live_settings", LiveSettings)
