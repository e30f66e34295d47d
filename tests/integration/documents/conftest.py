"""Cases for the document tests, driven through the API as the right users, and helpers that
read PDFs back (text with pypdf, embedded fonts, page images with pdftoppm)."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import delete

from models import AnnualRating
from tests.drivers import dues
from tests.factories import AnnualRatingFactory
from tests.flows import Flow
from tests.flows import at
from tests.helpers import FOUR_MUSTS_DONE
from tests.helpers import MEETING_OK
from tests.helpers import complete
from tests.helpers import start
from webapp.extensions import db
from workflows import accounts
from workflows.engine import clock
from workflows.engine.clock import frozen_at

PROMOTION_AT = "2026-03-02 09:00"
DUES_AT = "2020-02-14 09:00"


def download(client: Any, path: str) -> bytes:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    data = bytes(response.data)
    response.close()
    assert data.startswith(b"%PDF-")
    return data


def flat(text: str) -> str:
    """PDF text without line breaks or spaces, so a value wrapped across lines is still found."""
    return re.sub(r"\s+", "", text)


def has_cjk_font(pdf: bytes) -> bool:
    return any("CJK" in name for name in pdf_fonts(pdf))


def pdf_text(pdf: bytes) -> str:
    """Every page's text, as pypdf extracts it (through the fonts' ToUnicode maps)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def pdf_fonts(pdf: bytes) -> set[str]:
    """The base font names embedded in the PDF, subset prefixes removed (e.g. Noto-Sans-CJK-SC)."""
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font") or {}
        for ref in fonts.values():
            names.add(str(ref.get_object()["/BaseFont"]).lstrip("/").split("+")[-1])
    return names


def page_count(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def page_images(pdf: bytes, name: str, workdir: Path) -> list[Path]:
    """PNG pages of the PDF (pdftoppm), into ORGFLOW_SCREENSHOTS when set (the README's pictures)."""
    target = Path(os.environ.get("ORGFLOW_SCREENSHOTS") or workdir)
    target.mkdir(parents=True, exist_ok=True)
    source = workdir / f"{name}.pdf"
    source.write_bytes(pdf)
    for old in target.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run([shutil.which("pdftoppm") or "pdftoppm", "-png", "-r", "60", str(source), str(target / name)],
                   check=True, capture_output=True)
    return sorted(target.glob(f"{name}-*.png"))


@pytest.fixture()
def flow(api: Any, app: Flask, runner: Any) -> Flow:
    return Flow(api, app, runner)


def _rate(app: Flask, username: str, ratings: dict[int, str]) -> None:
    """Set these years' ratings (the demo's own for them, if any, replaced)."""
    with app.app_context():
        user_id = accounts.find_user(db.session, username).id
        db.session.execute(delete(AnnualRating).where(AnnualRating.user_id == user_id,
                                                      AnnualRating.year.in_(list(ratings))))
        for year, rating in ratings.items():
            AnnualRatingFactory(user_id=user_id, year=year, rating=rating)
        db.session.commit()
        db.session.remove()


@pytest.fixture()
def promotion(api: Any, app: Flask) -> dict[str, Any]:
    """A promotion of 梁晨 (s1_06) decided by the 党委会; 酝酿 by 高峰 for 马立新 (委托).
    OrgFlow holds his ratings for 2023 and 2024 (称职, his demo 干部信息) and 2025 (优秀, imported)."""
    _rate(app, "s1_06", {2024: "称职"})
    with frozen_at(at(PROMOTION_AT)):
        case = start(api)
        now = clock.now().astimezone(clock.SHANGHAI)
        grant = api("s1_01").post("/delegations", {"deputy": "s1_02", "starts_at": now.isoformat(),
                                                   "ends_at": (now + timedelta(days=7)).isoformat(),
                                                   "process_keys": ["cadre_promotion"], "reason": "外出学习"})
        assert grant.status_code == 201, grant.get_json()
        complete(api, "s1_02", case["id"], "deliberation", {"decision": "agree"}, comment="同意提名，代书记签")
        complete(api, "s1_03", case["id"], "recommendation",
                 {"method": "meeting", "results": "得票集中", "inspection_team": ["s1_07", "s1_08"]})
        complete(api, "s1_03", case["id"], "inspection_targets", {"decision": "proceed"})
        complete(api, "s1_07", case["id"], "inspection", {"report": "德能勤绩廉表现突出", "four_musts": FOUR_MUSTS_DONE})
        complete(api, "s1_04", case["id"], "discipline_opinion", {"decision": "no_objection"})
        complete(api, "s1_02", case["id"], "department_review", {"decision": "submit"})
        complete(api, "s1_03", case["id"], "committee_decision",
                 {"meeting": {**MEETING_OK, "minutes_no": "钢股党委纪要〔2026〕7号"}})
    return case


@pytest.fixture()
def fund(flow: Flow) -> dict[str, Any]:
    """A special fund allocated to S1 and S3; S1 received it, decided and spent two lines."""
    with frozen_at(at(DUES_AT)):
        case = dues.start(flow)
        dues.to_recipients(flow, case["id"])
        dues.receive(flow, case["id"], "S1")
        flow.step("s1_03", case["id"], "ledger", {"expenditures": [
            dues.spend(),
            dues.spend(purpose="supplies", beneficiary="炼钢厂党支部（口罩 2000 只）", beneficiary_type="organization",
                       amount="19999.99", item="goods", invoice_no="FP-2020-77")]})
    return case
