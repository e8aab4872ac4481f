"""Per-language widget texts and the differences the admin is shown."""

from __future__ import annotations

import dataclasses

from helpchat.config import Settings
from helpchat.widget_texts import Gap, all_topics, contact_gaps, gaps, intro, title, topics

BASE = Settings()


def contact(name: str, phone: str | None = None, url: str | None = None) -> dict[str, object]:
    return {"name": name, "phone": phone, "url": url}


def test_an_english_page_never_shows_the_dutch_title_topics_or_intro() -> None:
    s = dataclasses.replace(BASE, widget_title="Praat met Jeugdlijn", topics=("Thuis",),
                            widget_intro="Welkom")
    assert (title(s, "nl"), topics(s, "nl"), intro(s, "nl")) == (
        "Praat met Jeugdlijn", ("Thuis",), "Welkom")
    assert (title(s, "en"), topics(s, "en"), intro(s, "en")) == ("Chat with us", (), "")
    assert gaps(s, {}) == [Gap("title_missing", {"language": "en", "other": "nl",
                                                            "shown": "Chat with us"}),
                           Gap("intro_missing", {"language": "en", "other": "nl"}),
                           Gap("topics_missing", {"language": "en", "other": "nl"})]


def test_each_language_gets_its_own_texts_and_any_topic_is_accepted() -> None:
    s = dataclasses.replace(BASE, widget_title="Praat met Jeugdlijn",
                            widget_title_en="Talk to Jeugdlijn", topics=("Thuis", "School"),
                            topics_en=("Home",))
    assert title(s, "en") == "Talk to Jeugdlijn" and topics(s, "en") == ("Home",)
    assert all_topics(s) == ("Thuis", "School", "Home")
    assert gaps(s, {}) == [Gap("topics_differ", {"nl": 2, "en": 1})]


def test_the_default_title_is_the_catalogs_in_each_language_and_no_gap() -> None:
    assert (title(BASE, "nl"), title(BASE, "en")) == ("Chat met ons", "Chat with us")
    assert gaps(BASE, {}) == []


def test_a_helpline_in_one_language_only_is_named_by_number_or_website() -> None:
    lists = {
        "nl": [contact("Alarmnummer 112", "112"), contact("De Kindertelefoon", "0800-0432"),
               contact("Zelfhulp", url="https://www.zelfhulp.nl/start")],
        "en": [contact("Emergency number 112", "1 1 2"), contact("Self help",
                                                                  url="http://zelfhulp.nl"),
               contact("Youth line", "0800-1234")],
    }
    assert contact_gaps(lists) == [
        Gap("contact_missing", {"name": "Youth line", "language": "nl", "other": "en"}),
        Gap("contact_missing", {"name": "De Kindertelefoon", "language": "en", "other": "nl"}),
    ]


def test_the_same_helpline_with_other_hours_or_urgency_in_english_is_named() -> None:
    evenings = {"days": [0, 1, 2, 3, 4], "from": "18:00", "to": "22:00"}
    lists = {
        "nl": [{**contact("Alarmnummer 112", "112"), "urgent": True, "open": {"always": True}},
               {**contact("De Kindertelefoon", "0800-0432"), "open": evenings},
               {**contact("Veilig Thuis", "0800-2000"), "open": {"always": True}}],
        "en": [{**contact("Emergency number 112", "112"), "urgent": False,
                "open": {"always": True}},
               {**contact("Child Helpline", "0800 0432"), "open": {**evenings, "to": "21:00"}},
               {**contact("Safe at Home", "0800-2000"), "open": {"always": True}}],
    }
    assert contact_gaps(lists) == [
        Gap("contact_urgent_differs", {"name": "Alarmnummer 112"}),
        Gap("contact_hours_differ", {"name": "De Kindertelefoon"}),
    ]
