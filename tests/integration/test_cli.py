"""The CLI: idempotent imports, users and tokens, demo data, deploy/validate, and clear failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func
from sqlalchemy import select

from models import AuditEvent
from models import OrgUnit
from models import RoleAssignment
from models import User
from tests.helpers import proposal
from webapp.extensions import db
from workflows.engine import definitions

ORG = {
    "units": [{"code": "G", "name": "集团党委", "level": "group", "parent": None},
              {"code": "S1", "name": "第一子公司党委", "level": "subsidiary", "parent": "G"},
              {"code": "S1B1", "name": "炼钢厂党支部", "level": "branch", "parent": "S1"}],
    "users": [{"username": "zhangsan", "name": "张三", "unit": "S1", "password": "secret-pass-1",
               "member_status": "full", "post": "副厂长", "roles": [{"role": "org_officer", "unit": "S1"}]}],
    "ratings": [{"username": "zhangsan", "year": 2025, "rating": "称职"}],
}


def write_json(tmp_path: Path, data: Any, name: str = "org.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def counts(app: Any) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (OrgUnit, User, RoleAssignment))


def test_org_import_is_idempotent(runner: Any, app: Any, tmp_path: Path) -> None:
    path = write_json(tmp_path, ORG)
    first = runner.invoke(args=["org", "import", path])
    assert first.exit_code == 0, first.output
    assert counts(app) == (3, 1, 1)
    second = runner.invoke(args=["org", "import", path])
    assert second.exit_code == 0
    assert "'units': 0, 'users': 0, 'roles': 0, 'ratings': 0" in second.output
    assert counts(app) == (3, 1, 1)
    with app.app_context():
        unit = db.session.scalars(select(OrgUnit).where(OrgUnit.code == "S1B1")).one()
        assert unit.parent.code == "S1" and len(unit.ancestor_ids()) == 3


def test_org_import_updates_by_code_and_username(runner: Any, app: Any, tmp_path: Path) -> None:
    runner.invoke(args=["org", "import", write_json(tmp_path, ORG)])
    changed = json.loads(json.dumps(ORG))
    changed["units"][1]["name"] = "第一子公司党委（改）"
    changed["users"][0]["post"] = "厂长"
    result = runner.invoke(args=["org", "import", write_json(tmp_path, changed, "changed.json")])
    assert "'units': 1, 'users': 1" in result.output
    with app.app_context():
        assert db.session.scalars(select(User.post)).one() == "厂长"


def test_a_malformed_import_fails_with_one_line_and_changes_nothing(runner: Any, app: Any, tmp_path: Path) -> None:
    bad = {"units": [{"code": "G", "name": "集团党委", "level": "galaxy"}]}
    result = runner.invoke(args=["org", "import", write_json(tmp_path, bad)])
    assert result.exit_code == 1
    assert result.output.startswith("错误：导入文件格式错误：units/0/level")
    assert counts(app) == (0, 0, 0)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert runner.invoke(args=["org", "import", str(broken)]).exit_code == 1


def test_users_create_set_role_and_token_work_with_the_api(runner: Any, client: FlaskClient, tmp_path: Path) -> None:
    runner.invoke(args=["org", "import", write_json(tmp_path, ORG)])
    created = runner.invoke(args=["users", "create", "lisi", "--name", "李四", "--unit", "S1",
                                  "--password", "another-pass-2", "--role", "secretary@S1"])
    assert created.exit_code == 0, created.output
    assert runner.invoke(args=["users", "set-role", "lisi", "committee", "S1"]).output.strip() == "已授予"
    assert runner.invoke(args=["users", "set-role", "lisi", "committee", "S1"]).output.strip() == "该角色已存在，未改动"
    assert runner.invoke(args=["users", "set-role", "lisi", "pope", "S1"]).exit_code == 1
    token = runner.invoke(args=["users", "token", "lisi"]).output.strip()
    assert token.startswith("of_")
    response = client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert runner.invoke(args=["users", "token", "nobody"]).exit_code == 1


def test_demo_load_once_loads_only_once(runner: Any, app: Any) -> None:
    first = runner.invoke(args=["demo", "load", "--once", "--password", "demo-password-1"])
    assert first.exit_code == 0 and "wangjianguo\tdemo-password-1" in first.output
    second = runner.invoke(args=["demo", "load", "--once"])
    assert "未重复导入" in second.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 10


def test_validate_reports_every_diagram(runner: Any) -> None:
    result = runner.invoke(args=["workflows", "validate"])
    assert result.exit_code == 0
    assert "cadre_promotion.bpmn: OK (cadre_promotion)" in result.output


def test_validate_refuses_a_diagram_with_a_missing_form(runner: Any, tmp_path: Path) -> None:
    shutil.copytree(definitions.BPMN_DIR, tmp_path / "bpmn")
    (tmp_path / "bpmn" / "forms" / "cadre_deliberation.json").unlink()
    result = runner.invoke(args=["workflows", "validate", str(tmp_path / "bpmn")])
    assert result.exit_code == 1
    assert "deliberation: form cadre_deliberation.json not found" in result.output


@pytest.mark.parametrize(("old", "new", "problem"), [
    ('name="escalateTo" value="org_head"', 'name="escalateTo" value="org_head@decider"',
     "handling: escalateTo: unknown relative lane 'org_head@decider'"),
    ('name="remindBeforeWorkingDays" value="5"', 'name="remindBeforeWorkingDays" value="一周"',
     "handling: remindBeforeWorkingDays must be a whole number of working days"),
    ('name="dueDateVariable" value="handling_due_on"', 'name="unitVariable" value="handling_due_on"',
     "handling: remindBeforeWorkingDays without dueInWorkingDays or dueDateVariable"),
])
def test_validate_refuses_bad_deadline_properties(runner: Any, tmp_path: Path, old: str, new: str,
                                                  problem: str) -> None:
    shutil.copytree(definitions.BPMN_DIR, tmp_path / "bpmn")
    diagram = tmp_path / "bpmn" / "accountability.bpmn"
    text = diagram.read_text(encoding="utf-8")
    assert old in text
    diagram.write_text(text.replace(old, new, 1), "utf-8")  # the first is on 组织处理手续 (handling)
    result = runner.invoke(args=["workflows", "validate", str(tmp_path / "bpmn")])
    assert result.exit_code == 1
    assert problem in result.output


def test_a_changed_diagram_deploys_a_new_version_and_running_cases_keep_theirs(
    app: Any, api: Any, runner: Any, tmp_path: Path
) -> None:
    old = api("s1_03").post("/processes/cadre_promotion/instances", {"data": proposal()}).get_json()
    assert "未变化" in runner.invoke(args=["workflows", "deploy"]).output
    shutil.copytree(definitions.BPMN_DIR, tmp_path / "bpmn")
    diagram = tmp_path / "bpmn" / "cadre_promotion.bpmn"
    diagram.write_text(diagram.read_text(encoding="utf-8").replace('name="酝酿"', 'name="酝酿（新版）"'), "utf-8")
    with app.app_context():
        results = definitions.deploy_all(db.session, tmp_path / "bpmn")
        db.session.commit()
    assert [(r.version, r.created) for r in results if r.key == "cadre_promotion"] == [(old["version"] + 1, True)]
    with app.app_context():
        deploys = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "definition.deploy")).all()
        assert [(e.payload["key"], e.payload["version"]) for e in deploys] == [("cadre_promotion", old["version"] + 1)]
    new = api("s1_03").post("/processes/cadre_promotion/instances", {"data": proposal()}).get_json()
    assert new["version"] == old["version"] + 1 and new["work_items"][0]["title"] == "酝酿（新版）"
    still = api("s1_03").get(f"/instances/{old['id']}").get_json()
    assert still["version"] == old["version"] and still["work_items"][0]["title"] == "酝酿"
    item = still["work_items"][0]["id"]
    done = api("s1_01").post(f"/tasks/{item}/complete", {"data": {"decision": "agree"}}).get_json()
    assert done["instance"]["version"] == old["version"]
