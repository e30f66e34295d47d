"""Who gets which PDF: the case page offers the documents the case has, the same checks as
reading the case guard every download (403/404, no IDOR, HTML and API alike), refusals are
not recorded; and each PDF's pages drawn as images (the README's pictures)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.integration.audit.conftest import events_of
from tests.integration.documents.conftest import download
from tests.integration.documents.conftest import page_count
from tests.integration.documents.conftest import page_images


def links(web: Any, username: str, case_id: int) -> list[str]:
    import re

    return re.findall(rf'href="/cases/{case_id}/documents/(\w+)\.pdf"', web(username).page(f"/cases/{case_id}"))


def test_the_case_page_offers_the_documents_the_case_has(web: Any, promotion: dict[str, Any],
                                                         fund: dict[str, Any]) -> None:
    assert links(web, "s1_03", promotion["id"]) == ["approval", "appointment"]
    assert links(web, "zhengyun", promotion["id"]) == ["approval", "appointment"]
    assert links(web, "zhaomin", fund["id"]) == ["approval", "dues_notice", "dues_ledger"]


def test_downloads_follow_the_case_permissions(web: Any, app: Flask, api: Any, promotion: dict[str, Any],
                                               fund: dict[str, Any]) -> None:
    case = promotion["id"]
    assert web("s2_03").get(f"/cases/{case}/documents/approval.pdf").status_code == 403  # another subsidiary
    assert web("s2_03").get(f"/cases/{case}/documents/appointment.pdf").status_code == 403
    assert web("s1_03").get("/cases/999999/documents/approval.pdf").status_code == 404
    assert web("s1_03").get(f"/cases/{case}/documents/dues_ledger.pdf").status_code == 404  # not a dues case
    assert web("s1_03").get(f"/cases/{case}/documents/nothing.pdf").status_code == 404
    assert web("zhaomin").get(f"/cases/{fund['id']}/documents/appointment.pdf").status_code == 404
    assert api("s2_03").get(f"/instances/{case}/pdf").status_code == 403
    assert api("s1_03").get(f"/instances/{case}/pdf?doc=dues_notice").status_code == 404
    assert app.test_client().get(f"/api/v1/instances/{case}/pdf").status_code == 401
    assert events_of(app, "document.download") == []


def test_the_api_lists_and_serves_the_documents(api: Any, app: Flask, fund: dict[str, Any]) -> None:
    listed = api("zhaomin").get(f"/instances/{fund['id']}/documents").get_json()
    assert [(d["doc"], d["title"]) for d in listed["items"]] == [
        ("approval", "审批单"), ("dues_notice", "党费下拨通知"), ("dues_ledger", "党费使用台账")]
    response = api("zhaomin").get(listed["items"][2]["url"].removeprefix("/api/v1"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "filename*=UTF-8''DF-2020-0001" in response.headers["Content-Disposition"]
    response.close()
    default = api("zhaomin").get(f"/instances/{fund['id']}/pdf")
    assert default.status_code == 200 and default.data.startswith(b"%PDF-")
    default.close()
    paths = app.test_client().get("/api/v1/openapi.json").get_json()["paths"]
    pdf = paths["/api/v1/instances/{instance_id}/pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
    assert [p["name"] for p in pdf["parameters"]] == ["instance_id", "doc"]
    assert "/api/v1/instances/{instance_id}/documents" in paths
    assert [e.payload["document"] for e in events_of(app, "document.download")] == ["dues_ledger", "approval"]


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm not installed (Debian poppler-utils; `make setup` installs it as root)")
def test_every_pdf_is_drawn_as_page_images(web: Any, promotion: dict[str, Any], fund: dict[str, Any],
                                           tmp_path: Path) -> None:
    for name, user, case in (("approval", "s1_03", promotion), ("appointment", "s1_03", promotion),
                             ("dues_notice", "zhaomin", fund), ("dues_ledger", "zhaomin", fund)):
        pdf = download(web(user), f"/cases/{case['id']}/documents/{name}.pdf")
        images = page_images(pdf, f"pdf-{name}", tmp_path)
        assert len(images) == page_count(pdf) and all(p.stat().st_size > 5000 for p in images), images
        assert images[0].read_bytes().startswith(b"\x89PNG")
