"""Audit events as people read them: the action's Chinese name, and what was done in words —
names with their unit instead of usernames or ids, a decision's title from its form instead of
its code, the opinion, reason or note — for the 事件日志, its CSV and a case's 流转记录. The raw
payload stays available as 技术详情.

`N_` marks the titles for the English catalog (`make i18n-update` extracts this file); the
pages translate them with the `trans` filter, the CSV keeps the Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import OrgUnit
from models import ProcessDefinition
from models import User
from workflows.engine import definitions
from workflows.labels import option_title


def N_(text: str) -> str:
    """Marks a title for the catalog; returns it unchanged."""
    return text


EVENT_TITLES = {
    "instance.start": N_("发起"), "instance.resubmit": N_("重新提交"), "instance.withdraw": N_("撤回"),
    "instance.terminate": N_("终止"), "instance.cc": N_("抄送"), "instance.comment": N_("评论"),
    "instance.repair": N_("修复停滞流程"), "instance.end": N_("流程结束"),
    "task.complete": N_("办理"), "task.claim": N_("认领"), "task.release": N_("释放"), "task.return": N_("退回"),
    "task.transfer": N_("转办"), "task.reassign": N_("改派"), "task.add_signer": N_("加签"),
    "task.remove_signer": N_("减签"), "task.sign": N_("加签签署"), "task.take_back": N_("拿回"),
    "task.remind": N_("催办"), "task.overdue": N_("逾期"), "task.recusal": N_("回避"),
    "timer.fire": N_("定时到期"), "timer.failed": N_("定时任务失败"), "attachment.add": N_("上传附件"),
    "delegation.create": N_("设置委托"), "delegation.end": N_("结束委托"),
    "auth.login": N_("登录"), "auth.login_failed": N_("登录失败"),
    "user.create": N_("新建用户"), "user.enable": N_("启用用户"), "user.disable": N_("停用用户"),
    "user.password_reset": N_("重置密码"), "user.password_change": N_("修改密码"),
    "role.grant": N_("授予角色"), "role.revoke": N_("撤销角色"), "token.create": N_("创建访问令牌"),
    "unit.create": N_("新建组织"), "org.import": N_("导入组织数据"),
    "relation.declare": N_("申报回避关系"), "relation.remove": N_("删除回避关系"),
    "definition.deploy": N_("部署流程"), "rule_pack.window": N_("规则包生效期"),
    "calendar.override": N_("调整工作日"), "calendar.override_removed": N_("取消工作日调整"),
    "calendar.import": N_("导入节假日安排"),
    "document.download": N_("下载文档"), "audit.export": N_("导出审计数据"), "audit.checkpoint": N_("下载检查点"),
    "access.refused": N_("拒绝访问"),
    "reserve.measure_add": N_("新增培养措施"), "reserve.measure_update": N_("修改培养措施"),
    "reserve.review": N_("后备干部年度调整"),
    "cadre.create": N_("建立干部信息"), "cadre.update": N_("修改干部信息"), "cadre.import": N_("导入干部信息"),
    "cadre.read": N_("查看干部信息"), "cadre.export": N_("导出干部信息"),
    "cadre.event_add": N_("新增现实表现纪实"), "cadre.event_remove": N_("删除现实表现纪实"),
    "weekly.schedule": N_("设定周报日程"), "weekly.submitted": N_("周报上报"), "weekly.missing": N_("周报漏报"),
    "weekly.supervision": N_("周报督导"), "weekly.export": N_("导出周报汇总"),
}

# Payload keys that name people: usernames (or, in 催办's `to`, user ids).
PEOPLE = ("user", "users", "to", "from", "signer", "held_for", "principal", "deputy", "escalated_to", "username")
# What a reader is told, in this order; everything else stays in 技术详情.
SAID = [("outcome_text", "结果"), ("decision", "决定"), ("comment", "意见"), ("reason", "理由"), ("note", "说明"), ("to_title", "退回至"),
        ("from", "原办理人"), ("to", "交给"), ("user", "人员"), ("users", "人员"), ("signer", "加签人"),
        ("position", "加签方式"), ("held_for", "待加签人"), ("principal", "委托人"), ("deputy", "受托人"),
        ("escalated_to", "督办给"), ("role", "角色"), ("unit", "单位"), ("filename", "附件"), ("day", "日期"),
        ("due_at", "期限"), ("error", "错误")]
POSITIONS = {"before": "向前加签", "after": "向后加签"}


def title(action: str) -> str:
    """The Chinese name of an audit action (the code itself for one this table lacks)."""
    return EVENT_TITLES.get(action, action)


def technical(payload: dict[str, Any] | None) -> str:
    """The raw payload, for the 技术详情 fold."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True) if payload else ""


class Reader:
    """Reads events in words; looks people and forms up once per reader (one page or export)."""

    def __init__(self, session: Session,
                 definition_of: Callable[[int], ProcessDefinition | None] | None = None) -> None:
        self.session = session
        self.definition_of = definition_of or (lambda definition_id: session.get(ProcessDefinition, definition_id))
        self.people: dict[str | int, str] = {}
        self.forms: dict[int, dict[str, dict[str, Any]]] = {}

    def prime(self, payloads: Iterable[dict[str, Any] | None]) -> None:
        """Look up, in one query, everyone the payloads name (one query per batch of rows,
        whoever they name, so a page costs the same queries for few rows or many)."""
        names: set[str] = set()
        ids: set[int] = set()
        batch = list(payloads)
        for payload in batch:
            for key in PEOPLE:
                for value in _listed((payload or {}).get(key)):
                    if isinstance(value, int):
                        ids.add(value)
                    else:
                        names.add(str(value))
        names -= {k for k in self.people if isinstance(k, str)}
        ids -= {k for k in self.people if isinstance(k, int)}
        if not batch:
            return
        rows = self.session.execute(
            select(User.id, User.username, User.name, OrgUnit.name).outerjoin(OrgUnit, OrgUnit.id == User.unit_id)
            .where(or_(User.username.in_(names), User.id.in_(ids))))
        for user_id, username, name, unit in rows:
            label = f"{name}（{unit}）" if unit else name
            self.people[user_id] = self.people[username] = label

    def person(self, value: Any) -> str:
        if value not in self.people:
            self.prime([{"user": value}])
        return self.people.get(value, str(value))

    def _decision(self, definition_id: int | None, task: str, value: Any) -> str:
        if definition_id is None or not task:
            return str(value)
        if definition_id not in self.forms:
            definition = self.definition_of(definition_id)
            self.forms[definition_id] = _decision_fields(definition) if definition is not None else {}
        for schema in self.forms[definition_id].get(task, {}).values():
            found = option_title(schema, value)
            if found:
                return found
        return str(value)

    def summary(self, payload: dict[str, Any] | None, definition_id: int | None = None) -> str:
        """What was done, in words: “决定：同意；意见：…；交给：林涛（S1 组织部）”."""
        payload = payload or {}
        task = str(payload.get("task") or "")
        parts = []
        for key, label in SAID:
            value = payload.get(key)
            if value in (None, "", []):
                continue
            if key in PEOPLE:
                text = "、".join(self.person(v) for v in _listed(value))
            elif key == "decision":
                text = self._decision(definition_id, task, value)
            elif key == "position":
                text = POSITIONS.get(str(value), str(value))
            else:
                text = str(value)
            parts.append(f"{label}：{text}")
        return "；".join(parts)


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _decision_fields(definition: ProcessDefinition) -> dict[str, dict[str, dict[str, Any]]]:
    """task → {decision field → its schema}, from the definition version's forms."""
    process = definitions.runtime(definition)
    forms = definition.assets.get("forms", {})
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for spec in [process.spec, *process.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            filename = definitions.properties(task_spec).get("formJsonSchemaFilename")
            properties = ((forms.get(filename) or {}).get("properties") or {}) if filename else {}
            fields = {name: properties[name] for name in ("decision", "result") if name in properties}
            if fields and getattr(task_spec, "bpmn_id", None):
                found[task_spec.bpmn_id] = fields
    return found
