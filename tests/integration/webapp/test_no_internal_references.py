"""Pages speak to their users (issue 13 §4): no internal references (DOMAIN.md, DESIGN §…), no
shell commands and no ISO timestamps on any page kind or on the case page of any demo step."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests import a11y

INTERNAL = re.compile(r"DOMAIN|DESIGN|STYLE\.md|reference/|\.venv|flask (workflows|audit|demo|rules|org)\b"
                      r"|\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _visible(html: str) -> str:
    """The text a reader sees: without scripts, styles, tags and attribute values."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    return re.sub(r"<[^>]+>", " ", html)


def _hits(where: str, html: str) -> list[str]:
    text = _visible(html)
    return [f"{where}: …{text[max(m.start() - 40, 0):m.end() + 20].split()!r}…" for m in INTERNAL.finditer(text)]


def test_no_page_kind_shows_an_internal_reference(app: Flask, web: Any, api: Any) -> None:
    ids = a11y.page_ids(app, api)
    found = []
    for who in a11y.PAGES:
        for path in a11y.page_paths(who, ids):
            found += _hits(f"{who} {path}", web(who).get(path).get_data(as_text=True))
    assert found == []


def test_no_demo_case_page_shows_an_internal_reference(app: Flask, web: Any) -> None:
    pages = a11y.demo_case_pages(app)
    assert len(pages) >= 6
    found = [hit for who, path in pages for hit in _hits(f"{who} {path}", web(who).page(path))]
    assert found == []
