"""Languages: Simplified Chinese first, English second (Flask-Babel). The choice is remembered on
the user (`User.locale`), and in the session before login."""

from __future__ import annotations

from flask import session
from flask_babel import gettext as _
from flask_login import current_user

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
