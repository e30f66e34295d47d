"""Authorization from the URL map (ASVS 8.2.1/8.2.2, T13): every route × method × kind of user,
with the ids of one S1 case — its task, attachment, PDFs, a notification, a delegation. Only the
users listed may get past authorization; everyone else gets 401/403/404 (or the login page).

A route that is added without a line in ACCESS fails `test_every_route_is_classified`.
"outsider" is an officer of another unit: every id of the S1 case must be refused to them (no IDOR).
"ok" means past authorization: the walk posts empty bodies, so a 400/409/422/429 still counts.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.integration.security.authz_walk import ROLES
from tests.integration.security.authz_walk import callers
from tests.integration.security.authz_walk import case_ids
from tests.integration.security.authz_walk import outcome
from tests.integration.security.authz_walk import url_for_rule

ALL = frozenset(ROLES)
USERS = ALL - {"anonymous"}
NOBODY: frozenset[str] = frozenset()
CASE_READERS = frozenset({"approver", "officer", "auditor"})  # participants of the case and the auditor
HANDLER = frozenset({"approver"})
ADMIN = frozenset({"admin"})
AUDITOR = frozenset({"auditor"})
STARTERS = frozenset({"outsider", "officer"})  # 组织部干部 may start cadre_promotion (in their own unit)


def _only(*roles: str) -> frozenset[str]:
    return frozenset(roles)


ACCESS: dict[tuple[str, str], frozenset[str]] = {
    # public
    ("static", "GET"): ALL,
    ("auth.login", "GET"): ALL,
    ("auth.login", "POST"): ALL,
    ("main.set_locale", "POST"): ALL,
    ("api.openapi", "GET"): ALL,
    # every signed-in user, about themselves
    ("main.index", "GET"): USERS,
    ("auth.password", "GET"): USERS,
    ("auth.password", "POST"): USERS,
    ("auth.logout", "POST"): USERS,
    ("inbox.queue", "GET"): USERS,
    ("start.catalog", "GET"): USERS,
    ("mine.notices", "GET"): USERS,
    ("mine.read_all_notices", "POST"): USERS,
    ("mine.read_notice", "POST"): _only("approver"),  # the notification's owner alone
    ("mine.delegations", "GET"): USERS,
    ("mine.create_delegation", "POST"): USERS,
    ("mine.end_delegation", "POST"): _only("officer", "admin"),  # the principal, or an admin
    ("api.list_tasks", "GET"): USERS,
    ("api.list_processes", "GET"): USERS,
    ("api.list_notifications", "GET"): USERS,
    ("api.unread_count", "GET"): USERS,
    ("api.read_all_notifications", "POST"): USERS,
    ("api.read_notification", "POST"): _only("approver"),
    ("api.list_delegations", "GET"): USERS,
    ("api.create_delegation", "POST"): USERS,
    ("api.end_delegation", "POST"): _only("officer", "admin"),
    ("api.list_rule_packs", "GET"): USERS,
    ("api.get_window", "GET"): USERS,
    ("inbox.batch_approve", "POST"): USERS,  # 批量同意: each item is checked as its own 办理
    ("api.batch_approve", "POST"): USERS,
    # the 预备党员 register: whoever oversees a unit (its rows are theirs), auditors and admins
    ("api.list_probation_register", "GET"): _only("outsider", "approver", "secretary", "officer", "auditor", "admin"),
    # the 后备干部库: whoever oversees a unit sees its people's entries; S1's 组织部 (officer) edits
    ("api.search_reserve_pool", "GET"): _only("outsider", "approver", "secretary", "officer", "auditor", "admin"),
    ("api.get_reserve_entry", "GET"): _only("approver", "officer", "auditor", "admin"),
    ("api.add_reserve_measure", "POST"): _only("officer"),
    ("api.update_reserve_measure", "PUT"): _only("officer"),
    ("api.review_reserve_entry", "POST"): _only("officer"),
    ("reserve.index", "GET"): _only("outsider", "approver", "secretary", "officer", "auditor", "admin"),
    ("reserve.csv", "GET"): _only("outsider", "approver", "secretary", "officer", "auditor", "admin"),
    ("reserve.entry", "GET"): _only("approver", "officer", "auditor", "admin"),
    ("reserve.add_measure", "POST"): _only("officer"),
    ("reserve.update_measure", "POST"): _only("officer"),
    ("reserve.review", "POST"): _only("officer"),
    # 重要情况专报: whoever oversees a unit lists its 专报; one 专报 as its case (S1's, filed by the officer)
    ("special_reports.index", "GET"): _only("outsider", "approver", "secretary", "officer", "auditor", "admin"),
    ("special_reports.csv", "GET"): _only("outsider", "approver", "secretary", "officer", "auditor", "admin"),
    ("special_reports.show", "GET"): _only("approver", "officer", "auditor"),
    ("api.search_special_reports", "GET"): _only("outsider", "approver", "secretary", "officer", "auditor", "admin"),
    ("api.get_special_report", "GET"): _only("approver", "officer", "auditor"),
    # 周报 (the group's 组织部 is not among these callers): the matrix for auditors and admins, an S1
    # report also for S1's 书记 and 组织部; the schedule set by admins; a 督导 by the group's 组织部 only
    ("weekly.index", "GET"): _only("auditor", "admin"),
    ("weekly.csv", "GET"): _only("auditor", "admin"),
    ("weekly.report", "GET"): _only("approver", "officer", "auditor", "admin"),
    ("weekly.supervise", "POST"): NOBODY,
    ("weekly.schedule", "GET"): ADMIN,
    ("weekly.schedule", "POST"): ADMIN,
    ("api.weekly_matrix", "GET"): _only("auditor", "admin"),
    ("api.weekly_report", "GET"): _only("approver", "officer", "auditor", "admin"),
    ("api.weekly_supervision", "POST"): NOBODY,
    ("api.weekly_schedule", "GET"): USERS,
    ("api.set_weekly_schedule", "PUT"): ADMIN,
    # starting a case
    ("start.form", "GET"): STARTERS,
    ("start.submit", "POST"): STARTERS,
    ("api.start_instance", "POST"): STARTERS,
    # the case and what belongs to it: its participants and the auditor, never another unit
    ("cases.show", "GET"): CASE_READERS,
    ("cases.attachment", "GET"): CASE_READERS,
    ("cases.attachment_preview", "GET"): CASE_READERS,
    ("documents.pdf", "GET"): CASE_READERS,
    ("api.get_instance", "GET"): CASE_READERS,
    ("api.instance_actions", "GET"): CASE_READERS,
    ("api.instance_events", "GET"): CASE_READERS,
    ("api.instance_documents", "GET"): CASE_READERS,
    ("api.instance_pdf", "GET"): CASE_READERS,
    ("api.instance_docx", "GET"): CASE_READERS,
    ("documents.word", "GET"): NOBODY,  # the walk asks for the 审批单 (kind "approval"), which has no Word file: 404
    # 干部信息: the lists, the upload and the export answer anybody with what they manage (nothing for
    # most); a record (s1_07, managed by the S1 组织部) only its managing 组织部
    ("records.cadres", "GET"): USERS,
    ("records.create", "POST"): USERS,  # an empty form is refused before any record is chosen
    ("records.upload", "GET"): USERS,
    ("records.upload", "POST"): USERS,  # an empty upload is refused (422) before any cadre is named
    ("records.export", "GET"): USERS,
    ("records.record", "GET"): _only("officer"),
    ("records.edit", "GET"): _only("officer"),
    ("records.edit", "POST"): _only("officer"),
    ("records.section", "GET"): _only("officer"),
    ("records.section", "POST"): _only("officer"),
    ("records.photo_upload", "POST"): _only("officer"),
    ("records.photo", "GET"): NOBODY,  # s1_07 has no photo: 404 for the officer too
    ("api.list_cadres", "GET"): USERS,
    # 现实表现纪实 of s1_07: only the 组织部 that keeps the record (an empty form or body is refused: 422)
    ("records.add_event", "POST"): _only("officer"),
    ("records.remove_event", "POST"): _only("officer"),
    ("records.events_csv", "GET"): _only("officer"),
    ("api.list_cadre_events", "GET"): _only("officer"),
    ("api.add_cadre_event", "POST"): _only("officer"),
    ("api.remove_cadre_event", "DELETE"): _only("officer"),
    ("api.cadre_events_csv", "GET"): _only("officer"),
    ("api.get_cadre", "GET"): _only("officer"),
    ("api.put_cadre", "PUT"): _only("officer"),
    ("api.list_comments", "GET"): CASE_READERS,
    ("api.get_task", "GET"): CASE_READERS,
    ("api.item_actions", "GET"): CASE_READERS,
    ("cases.act_on_case", "POST"): CASE_READERS,  # /cases/<id>/comments: viewers may comment
    ("api.action_comments", "POST"): CASE_READERS,
    ("api.action_cc", "POST"): _only("approver", "officer"),  # participants only
    ("api.action_withdraw", "POST"): _only("officer"),  # the initiator
    # the open step: its handler
    ("cases.act", "POST"): HANDLER,
    ("cases.complete", "POST"): HANDLER,  # 提交: `cases.act` for "complete", locking at its first write
    ("api.complete_task", "POST"): HANDLER,
    ("api.claim_task", "POST"): HANDLER,
    ("api.action_release", "POST"): HANDLER,
    ("api.action_return", "POST"): HANDLER,
    ("api.action_transfer", "POST"): HANDLER,
    ("api.action_add_signer", "POST"): HANDLER,
    ("api.action_remove_signer", "POST"): HANDLER,
    ("api.action_take_back", "POST"): NOBODY,  # nobody has completed a step yet
    ("api.action_remind", "POST"): _only("approver", "officer", "admin"),  # 催办: initiator, overseers, admins
    # administrators (who may not read case content)
    ("admin.home", "GET"): ADMIN,
    ("admin.users", "GET"): ADMIN,
    ("admin.user", "GET"): ADMIN,
    ("admin.create_user", "POST"): ADMIN,
    ("admin.set_active", "POST"): ADMIN,
    ("admin.reset_password", "POST"): ADMIN,
    ("admin.change_role", "POST"): ADMIN,
    ("admin.declare_relation", "POST"): ADMIN,
    ("admin.remove_relation", "POST"): ADMIN,
    ("admin.org", "GET"): ADMIN,
    ("admin.create_unit", "POST"): ADMIN,
    ("admin.processes", "GET"): ADMIN,
    ("admin.process", "GET"): ADMIN,
    ("admin.calendar", "GET"): ADMIN,
    ("admin.set_override", "POST"): ADMIN,
    ("admin.delete_override", "POST"): ADMIN,
    ("admin.probation", "GET"): ADMIN,
    ("admin.probation_csv", "GET"): ADMIN,
    ("admin.cases", "GET"): ADMIN,
    ("admin.case", "GET"): ADMIN,
    ("api.action_reassign", "POST"): ADMIN,
    ("api.action_terminate", "POST"): ADMIN,
    ("api.put_window", "PUT"): ADMIN,
    # auditors
    ("audit.search", "GET"): AUDITOR,
    ("audit.events", "GET"): AUDITOR,
    ("audit.verify", "GET"): AUDITOR,
    ("audit.cases_csv", "GET"): AUDITOR,
    ("audit.events_csv", "GET"): AUDITOR,
    ("audit.checkpoint", "GET"): AUDITOR,
    ("api.verify_audit", "GET"): AUDITOR,
}
LAST = {("auth.logout", "POST")}  # ends the caller's session: walked after everything else


def _routes(app: Flask) -> list[tuple[Any, str]]:
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
    found = [(rule, method) for rule in rules for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return [r for r in found if (r[0].endpoint, r[1]) not in LAST] + [r for r in found if (r[0].endpoint, r[1]) in LAST]


def test_every_route_is_classified(app: Flask) -> None:
    routes = {(rule.endpoint, method) for rule, method in _routes(app)}
    assert routes - ACCESS.keys() == set(), "new routes: say who may call them in ACCESS"
    assert ACCESS.keys() - routes == set(), "ACCESS names routes that no longer exist"


def test_only_the_listed_users_get_past_authorization_on_any_route(app: Flask, web: Any) -> None:
    ids = case_ids(app, web)
    who = callers(app)
    wrong = []
    for rule, method in _routes(app):
        path = url_for_rule(rule, ids)
        for role, caller in who.items():
            response = caller.call(method, path)
            got = outcome(response)
            response.close()
            expected = "ok" if role in ACCESS[(rule.endpoint, method)] else "denied"
            if got != expected:
                wrong.append(f"{method} {path} ({rule.endpoint}) as {role}: {got} ({response.status_code}), "
                             f"expected {expected}")
    assert wrong == []


def test_the_start_of_each_newer_process_is_for_its_starters(app: Flask, web: Any) -> None:
    """The start routes walked again with the keys of the processes the walk's case is not:
    `annual_assessment` (年度综合考核) is started by a 组织部 (its rule then checks which unit)."""
    ids = case_ids(app, web)
    who = callers(app)
    starts = {("start.form", "GET"), ("start.submit", "POST"), ("api.start_instance", "POST")}
    wrong = []
    for key, starters in {"annual_assessment": STARTERS}.items():
        for rule, method in _routes(app):
            if (rule.endpoint, method) not in starts:
                continue
            path = url_for_rule(rule, {**ids, "key": key})
            for role, caller in who.items():
                response = caller.call(method, path)
                got = outcome(response)
                response.close()
                if got != ("ok" if role in starters else "denied"):
                    wrong.append(f"{method} {path} as {role}: {got} ({response.status_code})")
    assert wrong == []
