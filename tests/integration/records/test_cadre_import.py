"""`flask cadres import` and the import service: a good sheet writes records with one audit event
per cadre; a bad one is refused with the sheet, row and column of every error and writes nothing."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import CadreRecord
from models import User
from tests.integration.records.helpers import basic_row
from tests.integration.records.helpers import workbook
from webapp.extensions import db
from workflows.records import cadres


def _state() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(CadreRecord)) or 0,
            db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def test_a_good_sheet_is_imported_with_its_sections_and_audited(app: Flask, org: None, runner: FlaskCliRunner,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "cadres.xlsx"
    path.write_bytes(workbook({
        "基本信息": [basic_row("s2_07", "邓超", gender="男", birth_month="1978.04", ethnicity="汉族")],
        "简历": [["s2_07", "2000.07", "2010.03", "矿业公司技术员"], ["s2_07", "2010.03", None, "矿业公司运输部副部长"]],
        "年度考核": [["s2_07", 2024, "优秀"]],
        "家庭成员": [["s2_07", "妻子", "王兰", "1979.01", "群众", "唐山市第一中学教师"]],
    }))
    result = runner.invoke(args=["cadres", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "s2_07")).one()
        record = db.session.scalars(select(CadreRecord).where(CadreRecord.user_id == user.id)).one()
        data = cadres.snapshot(db.session, record)
        assert data["basic"]["birth_month"] == "1978-04"
        assert [e["text"] for e in data["resume"]] == ["矿业公司技术员", "矿业公司运输部副部长"]
        # the imported 2025 rating (flask org import) is kept next to the sheet's 2024
        assert {(r["year"], r["rating"]) for r in data["ratings"]} >= {(2024, "优秀"), (2025, "基本称职")}
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "cadre.import")).one()
        assert event.payload["user"] == "s2_07" and event.payload["after"]["family"][0]["name"] == "王兰"


def test_a_bad_sheet_is_refused_with_every_error_placed_and_nothing_written(
        app: Flask, org: None, runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(workbook({
        "基本信息": [basic_row("s2_07", "邓超", birth_month="1978.13"),   # row 2: E, 出生年月
                     basic_row("nobody", "某某"),                         # row 3: A, unknown user
                     basic_row("s2_08", "许诺", level="省委管理")],        # row 4: C, 管理权限
        "年度考核": [["s2_07", 2024, "良好"]],                             # row 2: C, 考核等次
    }))
    with app.app_context():
        before = _state()
    result = runner.invoke(args=["cadres", "import", str(path)])
    assert result.exit_code != 0
    for place in ("基本信息 第 2 行 E 列（出生年月）", "基本信息 第 3 行 A 列（用户名）",
                  "基本信息 第 4 行 C 列（管理权限）", "年度考核 第 2 行 C 列（考核等次）"):
        assert place in result.output, result.output
    with app.app_context():
        assert _state() == before


def test_a_sheet_with_a_foreign_column_is_refused_at_its_header(app: Flask, org: None, runner: FlaskCliRunner,
                                                                tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    path.write_bytes(workbook({"基本信息": [["s2_07", "x"]]}, header={"基本信息": ["用户名", "身高"]}))
    result = runner.invoke(args=["cadres", "import", str(path)])
    assert result.exit_code != 0
    assert "基本信息 第 1 行 B 列（身高）：不认识的列" in result.output
    assert "缺少列：管理权限" in result.output


def test_an_export_imports_again_unchanged(app: Flask, org: None, runner: FlaskCliRunner, tmp_path: Path) -> None:
    path = tmp_path / "all.xlsx"
    assert runner.invoke(args=["cadres", "export", str(path)]).exit_code == 0
    with app.app_context():
        records, events = _state()
    result = runner.invoke(args=["cadres", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "更新 0" in result.output
    with app.app_context():
        assert _state()[0] == records
        assert db.session.scalar(select(func.count()).where(AuditEvent.action == "cadre.import")) == 0
