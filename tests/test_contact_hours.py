"""Structured contact hours: canonical forms and the admin form's validation."""

from __future__ import annotations

import pytest

from helpchat import contact_hours
from helpchat.contact_hours import form_values, from_form, normalize


def test_24_7_in_either_spelling_is_always_open() -> None:
    assert normalize("24/7") == {"always": True}
    assert normalize({"always": True}) == {"always": True}


def test_days_are_sorted_and_deduplicated() -> None:
    assert normalize({"days": [6, 0, 0, 3], "from": "11:00", "to": "21:00"}) == {
        "days": [0, 3, 6], "from": "11:00", "to": "21:00"}


@pytest.mark.parametrize("value", [
    None, "Elke dag van 11:00 tot 21:00", {"days": [], "from": "11:00", "to": "21:00"},
    {"days": [7], "from": "11:00", "to": "21:00"}, {"days": [1], "from": "25:00", "to": "21:00"},
    {"days": [1], "from": "11:00", "to": "11:00"}, {"days": "1", "from": "11:00", "to": "21:00"},
])
def test_unknown_or_malformed_hours_are_none_so_the_widget_shows_only_the_text(
    value: object,
) -> None:
    assert normalize(value) is None


def test_the_form_builds_hours_running_past_midnight() -> None:
    assert from_form("hours", ["4", "5"], "22:00", "02:00") == {
        "days": [4, 5], "from": "22:00", "to": "02:00"}
    assert from_form("always", [], "", "") == {"always": True}
    assert from_form("unknown", ["1"], "11:00", "12:00") is None


@pytest.mark.parametrize(("mode", "days", "start", "end", "field"), [
    ("hours", [], "11:00", "21:00", "open_days"),
    ("hours", ["9"], "11:00", "21:00", "open_days"),
    ("hours", ["1"], "11", "21:00", "open_from"),
    ("hours", ["1"], "11:00", "", "open_to"),
    ("hours", ["1"], "11:00", "11:00", "open_to"),
    ("sometimes", ["1"], "11:00", "21:00", "open_mode"),
])
def test_a_wrong_form_names_its_field(mode: str, days: list[str], start: str, end: str,
                                      field: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}:"):
        from_form(mode, days, start, end)


def test_form_values_invert_from_form() -> None:
    for hours in (None, contact_hours.ALWAYS, {"days": [0, 6], "from": "09:00", "to": "17:00"}):
        v = form_values(hours)
        assert from_form(v["open_mode"], v["open_days"], v["open_from"], v["open_to"]) == hours
