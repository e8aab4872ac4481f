"""Every web.AppKey of the application: typed access to shared objects, no module globals."""

from __future__ import annotations

import jinja2
import socketio
from aiohttp import web

from helpchat.config import LiveSettings, Settings
from helpchat.passwords import PasswordWork
from helpchat.realtime.hub import Hub
from helpchat.store import Store

SETTINGS = web.AppKey("settings", Settings)
LIVE_SETTINGS = web.AppKey("live_settings", LiveSettings)
STORE = web.AppKey("store", Store)
SIO = web.AppKey("sio", socketio.AsyncServer)
HUB = web.AppKey("hub", Hub)
TEMPLATES = web.AppKey("templates", jinja2.Environment)
PASSWORDS = web.AppKey("passwords", PasswordWork)
