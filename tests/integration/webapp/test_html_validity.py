"""The Nu HTML checker (vnu.jar) on the HTML of every page kind, as the test client gets it:
no error (warnings are advice and not asserted). The same pages as the axe-core browser test
(tests/a11y.py), plus the refused states (a start form and a sign-in sent back with errors) and
the case page of every demo step, where each process's task forms show."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests import a11y
from tests.web import csrf_of

JAVA = shutil.which("java")

pytestmark = [
    pytest.mark.skipif(JAVA is None, reason="java is not installed: the Nu HTML checker (vnu.jar) runs on Java 11+"),
    pytest.mark.skipif(not a11y.VNU_JAR.is_file(), reason=f"vnu.jar is not installed: {a11y.MISSING}"),
]


def nu_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """vnu.jar's errors on these pages (name → HTML), one line each, in a single JVM run."""
    files = {}
    for n, (name, html) in enumerate(pages.items()):
        files[name] = folder / f"page-{n}.html"
        files[name].write_text(html, encoding="utf-8")
    names = {path.name: name for name, path in files.items()}
    run = subprocess.run([str(JAVA), "-jar", str(a11y.VNU_JAR), "--errors-only", "--format", "json",
                          *map(str, files.values())], capture_output=True, text=True, timeout=240, check=False)
    assert run.stderr.lstrip().startswith("{"), run.stderr[-2000:]  # vnu.jar reports in JSON on stderr
    messages = json.loads(run.stderr)["messages"]
    return [f"{names.get(Path(m.get('url', '')).name)}:{m.get('lastLine')}: {m['message']} — {m.get('extract', '').strip()}"
            for m in messages if m["type"] in ("error", "non-document-error")]


def collect(app: Flask, web: Any, ids: dict[str, int]) -> dict[str, str]:
    pages: dict[str, str] = {}
    for who in a11y.PAGES:
        for path in a11y.page_paths(who, ids):
            pages[f"{who} {path}"] = web(who).get(path).get_data(as_text=True)
    refused = web(a11y.OFFICER).post("/start/cadre_promotion", {"intent": "submit"})
    assert refused.status_code == 422
    pages["s1_03 /start/cadre_promotion refused"] = refused.get_data(as_text=True)
    client = app.test_client()
    login = client.get("/auth/login").get_data(as_text=True)
    pages["/auth/login"] = login
    wrong = client.post("/auth/login", data={"username": a11y.OFFICER, "password": "wrong-password",
                                             "csrf_token": csrf_of(login)})
    pages["/auth/login refused"] = wrong.get_data(as_text=True)
    return pages


def test_every_page_kind_is_valid_html(app: Flask, web: Any, api: Any, tmp_path: Path) -> None:
    pages = collect(app, web, a11y.page_ids(app, api))
    assert all(re.match(r"\s*<!doctype html>", html, re.IGNORECASE) for html in pages.values())
    errors = nu_errors(pages, tmp_path)
    assert errors == [], "\n".join(errors)


def test_the_case_page_of_every_demo_step_is_valid_html(app: Flask, web: Any, tmp_path: Path) -> None:
    pages = {f"{who} {path}": web(who).page(path) for who, path in a11y.demo_case_pages(app)}
    assert len(pages) >= 6  # at least a step of each of the six processes
    errors = nu_errors(pages, tmp_path)
    assert errors == [], "\n".join(errors)
