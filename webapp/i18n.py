"""Languages: Simplified Chinese first, English second (Flask-Babel). The choice is remembered on
the user (`User.locale`), and in the session before login."""

from __future__ import annotations

from typing import Any

import flask_babel
from flask import Flask
from flask import g
from flask import session
from flask_babel import gettext as _
from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from workflows.accounts import LOCALES

DEFAULT = "zh_CN"
NAMES = {"zh_CN": "简体中文", "en": "English"}
HTML_LANG = {"zh_CN": "zh-CN", "en": "en"}


def select_locale() -> str:
    """The signed-in user's saved language, else the one chosen before login, else Chinese."""
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return str(current_user.locale)
    chosen = session.get("locale")
    return chosen if chosen in LOCALES else DEFAULT


def diagram_labels() -> dict[str, str]:
    """The state words of diagram tooltips in the current language."""
    return {"done": _("已完成"), "active": _("进行中"), "idle": _("未到达")}


_CACHED = "orgflow_translations"  # on flask-babel's per-context namespace: (its locale, translations)


def _translations() -> Any:
    """The request's translations, found once. flask-babel's own `get_translations` looks its
    context up three times per call, and the 待办 page calls it 190 times (a sixth of the page's
    time). Kept beside flask-babel's locale and looked up again when that changes (`refresh`,
    `force_locale`)."""
    ctx = getattr(g, "_flask_babel", None)
    found = getattr(ctx, _CACHED, None)
    if found is not None and found[0] is getattr(ctx, "babel_locale", None):
        return found[1]
    translations = flask_babel.get_translations()  # sets the namespace and its locale
    ctx = g._flask_babel
    setattr(ctx, _CACHED, (getattr(ctx, "babel_locale", None), translations))
    return translations


_TEXTS = "_orgflow_texts"  # on a catalog: (text, autoescaped, with variables) → its translation
_MAX_TEXTS = 4096


@pass_context
def _template_gettext(context: Context, string: str, /, **variables: Any) -> str:
    """The templates' `_()` and `gettext()`, as Jinja's new-style gettext answers (the
    translation, as Markup when the template autoescapes, always %-formatted with `variables`)
    but from a table kept on the request's catalog: a page asks for the same hundred texts on
    every request, and Jinja's three calls, the catalog's lookup and the Markup around each
    were a sixth of the 待办 page."""
    translations = _translations()
    texts = getattr(translations, _TEXTS, None)
    if texts is None:
        texts = {}
        setattr(translations, _TEXTS, texts)
    key = (string, context.eval_ctx.autoescape, bool(variables))
    found = texts.get(key)
    if found is None:
        found = translations.ugettext(string)
        if context.eval_ctx.autoescape:
            found = Markup(found)
        if not variables:
            found = found % variables
        if len(texts) < _MAX_TEXTS:
            texts[key] = found
    return found % variables if variables else found


def install_template_gettext(app: Flask) -> None:
    """The templates' `_()`, `ngettext` … through `_translations` (after `babel.init_app`, which
    installs flask-babel's own); `_()` and `gettext()` through `_template_gettext`."""
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext)
