"""The templates' `_()` finds the request's translations once and keeps them beside flask-babel's
locale (`webapp.i18n.install_template_gettext`, issue 17: flask-babel's own lookup was a sixth
of the 待办 page): it still follows every change of locale — a forced one, a refreshed one, and
the next request's."""

from __future__ import annotations

from typing import Any

import flask_babel
from flask import Flask
from flask import render_template_string

from tests.web import login

TEMPLATE = "{{ _('待办') }}"


def test_the_templates_follow_a_forced_and_a_refreshed_locale(app: Flask) -> None:
    with app.test_request_context("/"):
        assert render_template_string(TEMPLATE) == "待办"
        with flask_babel.force_locale("en"):
            english = flask_babel.gettext("待办")
            assert english != "待办"  # the catalog translates it: otherwise this test proves nothing
            assert render_template_string(TEMPLATE) == english
        assert render_template_string(TEMPLATE) == "待办"
        flask_babel.refresh()
        assert render_template_string(TEMPLATE) == "待办"


def test_each_request_renders_in_its_users_language(app: Flask, org: None, api: Any) -> None:
    chinese, english = login(app, "s1_01"), login(app, "s1_02")
    assert english.post("/locale", {"locale": "en"}).status_code in (302, 303)
    for _ in range(2):
        assert "<title>待办" in chinese.page("/tasks/todo")
        page = english.page("/tasks/todo")
        assert "<title>待办" not in page and "lang=\"en\"" in page
