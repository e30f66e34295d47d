"""The action bar's words are the registry's Chinese (labels, parameters, choices, confirmations);
every one of them has its English, and the English page shows it."""

from __future__ import annotations

from typing import Any

from babel.messages.pofile import read_po

from tests.conftest import ROOT
from tests.integration.webapp.pages import dialog
from tests.web import open_item_id
from tests.web import start_case
from workflows import actions


def registry_words() -> set[str]:
    words: set[str] = set()
    for action in actions.ACTIONS.values():
        words |= {action.label, *(p.label for p in action.params), *(t for p in action.params for _, t in p.choices)}
        words |= {action.confirm} if action.confirm else set()
    return words


def test_every_word_of_the_registry_has_its_english() -> None:
    with open(ROOT / "webapp/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        translated = {m.id for m in read_po(handle) if m.id and m.string and not m.fuzzy}
    assert sorted(registry_words() - translated) == []


def test_the_english_case_page_shows_the_actions_in_english(web: Any) -> None:
    case_id = start_case(web("s1_03"))
    secretary = web("s1_01")
    secretary.post("/locale", {"locale": "en"})
    item = open_item_id(secretary, case_id)
    html = secretary.page(f"/cases/{case_id}")
    form = dialog(html, f"add-signer-i{item}")
    assert "Additional signer" in form and "before me" in form and "after me" in form and "加签" not in form
    assert "Reason for returning" in dialog(html, f"return-i{item}")
    refused = secretary.post(f"/items/{item}/transfer", {"reason": "x"}).get_data(as_text=True)
    assert "New handler" in dialog(refused, f"transfer-i{item}")
