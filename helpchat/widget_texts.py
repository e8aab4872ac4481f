"""What the widget says per language: title, intro text and topics, and where one language
lacks what the other has (title, intro, topics, emergency contacts), for the admin pages.
Pure: settings and contact lists in, texts and findings out.

`widget_title`, `widget_intro` and `topics` are the Dutch texts, the `*_en` settings the
English ones. A language without its own text never shows the other's (an English page with
"Thuis" and "Vrienden" reads as broken): it gets the catalog's title, no intro and no topic
list, and the admin is told.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from helpchat.config import Settings
from helpchat.i18n import translate

DEFAULT_TITLE = Settings.__dataclass_fields__["widget_title"].default
Contact = dict[str, Any]


@dataclass(frozen=True)
class Gap:
    """One finding for the admin: a catalog key (under admin.languages.) and its values."""

    key: str
    params: dict[str, Any] = field(default_factory=dict)


def own_title(settings: Settings, lang: str) -> str:
    """The title an admin wrote for this language ("" when none)."""
    if lang == "en":
        return settings.widget_title_en
    return settings.widget_title if settings.widget_title != DEFAULT_TITLE else ""


def title(settings: Settings, lang: str) -> str:
    return own_title(settings, lang) or translate(lang, "widget.title")


def intro(settings: Settings, lang: str) -> str:
    return settings.widget_intro_en if lang == "en" else settings.widget_intro


def topics(settings: Settings, lang: str) -> tuple[str, ...]:
    return settings.topics_en if lang == "en" else settings.topics


def all_topics(settings: Settings) -> tuple[str, ...]:
    """Every topic a visitor may send, whatever the language of their page."""
    return tuple(dict.fromkeys((*settings.topics, *settings.topics_en)))


def _other(lang: str) -> str:
    return "nl" if lang == "en" else "en"


def _reach(contact: Contact) -> str:
    """What identifies a helpline across languages: its number, else its website's host."""
    digits = re.sub(r"\D", "", contact.get("phone") or "")
    if digits:
        return "tel:" + digits
    url = (contact.get("url") or "").lower()
    return "web:" + re.sub(r"^https?://(www\.)?", "", url).split("/")[0] if url else ""


def gaps(settings: Settings, contacts: dict[str, list[Contact]]) -> list[Gap]:
    """Where the Dutch and the English widget differ in what a youth is offered."""
    found: list[Gap] = []
    for lang in ("nl", "en"):
        other = _other(lang)
        if own_title(settings, other) and not own_title(settings, lang):
            # "shown": the catalog's title that language's youths then see.
            found.append(Gap("title_missing", {"language": lang, "other": other,
                                               "shown": title(settings, lang)}))
        if intro(settings, other) and not intro(settings, lang):
            found.append(Gap("intro_missing", {"language": lang, "other": other}))
        if topics(settings, other) and not topics(settings, lang):
            found.append(Gap("topics_missing", {"language": lang, "other": other}))
    if settings.topics and settings.topics_en and len(settings.topics) != len(settings.topics_en):
        found.append(Gap("topics_differ", {"nl": len(settings.topics),
                                           "en": len(settings.topics_en)}))
    found.extend(contact_gaps(contacts))
    return found


def contact_gaps(contacts: dict[str, list[Contact]]) -> list[Gap]:
    found: list[Gap] = []
    for lang in ("nl", "en"):
        other = _other(lang)
        present = {_reach(c) for c in contacts.get(lang, [])}
        for contact in contacts.get(other, []):
            if _reach(contact) and _reach(contact) not in present:
                found.append(Gap("contact_missing", {"name": contact["name"], "language": lang,
                                                     "other": other}))
    # The same helpline in both lists, but told differently: a youth reading English would be
    # sent to a line marked open (or not urgent) that the Dutch list gives other hours.
    english = {_reach(c): c for c in contacts.get("en", []) if _reach(c)}
    for dutch in contacts.get("nl", []):
        twin = english.get(_reach(dutch))
        if twin is None:
            continue
        if (dutch.get("open") or None) != (twin.get("open") or None):
            found.append(Gap("contact_hours_differ", {"name": dutch["name"]}))
        if bool(dutch.get("urgent")) != bool(twin.get("urgent")):
            found.append(Gap("contact_urgent_differs", {"name": dutch["name"]}))
    return found
