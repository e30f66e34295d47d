"""Browser tests: Debian's Chromium driven by Playwright against the app served on a free
localhost port from a thread of the test process (the same database as the other fixtures).

Skipped, with the reason, when /usr/bin/chromium or the playwright package is missing. Nothing is
downloaded: Playwright is pointed at the system Chromium. With ORGFLOW_SCREENSHOTS=<dir> the
tests save their screenshots there (`make screenshots` refreshes docs/screenshots/).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from tests.conftest import PASSWORD
from workflows.engine.clock import frozen_at

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

try:
    from playwright.sync_api import Browser
    from playwright.sync_api import Page
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    sync_playwright = None

if sync_playwright is None:
    pytest.skip("the playwright package is not installed (pip install -e '.[dev]')", allow_module_level=True)
if not os.access(CHROMIUM, os.X_OK):
    pytest.skip(f"{CHROMIUM} not found: install Debian's chromium (make setup does it as root)",
                allow_module_level=True)


def buffered(app: Flask, now: datetime | None = None) -> Any:
    """The app with each response body read out and closed before the server writes it.

    Werkzeug's development server calls the body's `close()` only after draining the socket, and
    skips it when the browser has already dropped the connection (a favicon or stylesheet still
    loading as the page moves on): the static file then stays open until garbage collection,
    whose ResourceWarning the suite's `error` filter turns into a failure of whichever test is
    running. Buffering closes every file at once; the pages and files are small.

    With `now`, every request runs at that moment (`frozen_at`), as the test's own steps do."""

    def serve(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with frozen_at(now) if now is not None else nullcontext():
            body = app(environ, start_response)
            try:
                return [b"".join(body)]
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()

    return serve


@pytest.fixture()
def live_now() -> datetime | None:
    """The moment the live server's requests run at; None is the real clock. A test whose steps
    depend on the day (a week's deadline, a year's 表彰) overrides this fixture and runs its own
    steps at the same moment (`frozen_at`), so it passes on any day of the year."""
    return None


@pytest.fixture()
def live_server(app: Flask, org: None, live_now: datetime | None) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, buffered(app, live_now), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@dataclass
class Person:
    """One user's browser window, with everything it requested and every console message."""

    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    def go(self, path: str) -> Page:
        self.page.goto(self.base + path)
        return self.page


DESKTOP = {"width": 1400, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture()
def viewport(request: pytest.FixtureRequest) -> dict[str, int]:
    """The window size of `people`: a desktop's, unless a module runs its tests at both widths with
    `pytest.mark.parametrize("viewport", [DESKTOP, PHONE], indirect=True)`."""
    return getattr(request, "param", DESKTOP)


@pytest.fixture()
def people(browser: Browser, live_server: str, viewport: dict[str, int]) -> Iterator[Any]:
    """`people("s1_03")` → that demo user, signed in, in a browser context of their own."""
    contexts: list[Any] = []
    opened: dict[str, Person] = {}

    def person(username: str) -> Person:
        if username not in opened:
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            contexts.append(context)
            page = context.new_page()
            who = Person(page, live_server)
            page.on("request", lambda request: who.requests.append(request.url))
            page.on("console", lambda message: who.console.append(f"{message.type}: {message.text}"))
            who.go("/auth/login")
            page.fill("#username", username)
            page.fill("#password", PASSWORD)
            page.click("button.btn.primary")
            page.wait_for_url(live_server + "/")
            opened[username] = who
        return opened[username]

    yield person
    for who in opened.values():
        outside = [url for url in who.requests if not url.startswith(live_server)]
        assert outside == [], f"loaded from outside the app: {outside}"
        # A refused form answers 422 on purpose (Chromium logs that); anything else, a CSP violation
        # above all, is a failure.
        errors = [m for m in who.console if m.startswith("error") and "responded with a status of 4" not in m]
        assert errors == [], errors
    for context in contexts:
        context.close()


@pytest.fixture()
def shoot(tmp_path: Path) -> Any:
    """`shoot(page, "todo")` saves a full-page screenshot (to ORGFLOW_SCREENSHOTS when set)."""
    target = Path(os.environ.get("ORGFLOW_SCREENSHOTS") or tmp_path)
    target.mkdir(parents=True, exist_ok=True)

    def take(page: Page, name: str, full_page: bool = False) -> Path:
        path = target / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
