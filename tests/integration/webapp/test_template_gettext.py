"""The templates' `_()` finds the request's translations once and keeps them beside flask-babel's
locale (`webapp.i18n.install_template_gettext`, issue 17: flask-babel's own lookup was a sixth
of the 待办 page): it still follows every change of locale — a forced one, a refreshed one, and
the next request's."""

from __future__ import annotations

from typing import Any

import flask_babel
import pytest
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


def test_a_text_is_translated_escaped_and_formatted_as_jinja_would_every_time(app: Flask) -> None:
    """`_()` keeps each text's translation on the catalog (`webapp.i18n._template_gettext`): the
    second and later calls answer as the first — Markup in an autoescaped template, a `%%` and the
    variables formatted every time, the variables escaped — and each catalog keeps its own."""
    template = "{{ _('共 %(total)s 条', total=n) }}|{{ _('100%%') }}|{{ _('代%(name)s办理', name=who) }}"
    with app.test_request_context("/"):
        for n in (3, "<b>"):
            assert render_template_string(template, n=n, who="<i>") == (
                f"共 {'&lt;b&gt;' if n == '<b>' else n} 条|100%|代&lt;i&gt;办理")
        with flask_babel.force_locale("en"):
            english = render_template_string(template, n=7, who="Li")
            assert english.startswith("7 ") and "共" not in english, english
        assert render_template_string(template, n=8, who="Li").startswith("共 8 条")
        unescaped = app.jinja_env.overlay(autoescape=False).from_string("{{ _('共 %(total)s 条', total=n) }}")
        assert unescaped.render(n="<b>") == "共 <b> 条"  # not autoescaped: not escaped, as Jinja's own
        assert getattr(flask_babel.get_translations(), "_orgflow_texts", None), "the texts are kept on the catalog"


def test_a_list_of_links_is_built_as_url_for_builds_each(app: Flask) -> None:
    from flask import url_for

    from webapp.ui import id_urls

    for base in ("/", "/orgflow/"):  # served at the root and under a prefix (SCRIPT_NAME)
        with app.test_request_context("/tasks/todo", base_url=f"http://intranet{base}"):
            show, claim = id_urls("cases.show", "instance_id"), id_urls("cases.act", "item_id", action="claim")
            for value in (1, 42, 987654321, 10**12):
                assert show(value) == url_for("cases.show", instance_id=value)
                assert claim(value) == url_for("cases.act", item_id=value, action="claim")
            assert show(5).startswith(base.rstrip("/") + "/cases/")
            with pytest.raises(ValueError):
                show("5; drop")  # type: ignore[arg-type]
