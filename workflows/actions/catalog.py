"""Every approval action, in the order an action bar shows them (approval-products.md §6.3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from models import User
from models import WorkItem
from workflows.actions import cc
from workflows.actions import claims
from workflows.actions import comments
from workflows.actions import common
from workflows.actions import completion
from workflows.actions import ending
from workflows.actions import remind
from workflows.actions import returning
from workflows.actions import signers
from workflows.actions import take_back
from workflows.actions import transfer
from workflows.actions.registry import INSTANCE
from workflows.actions.registry import ITEM
from workflows.actions.registry import Action
from workflows.actions.registry import Param
from workflows.actions.registry import register
from workflows.actions.signing import open_signers
from workflows.routing import permissions


def _signer_options(session: Session, user: User, item: WorkItem) -> list[dict[str, Any]]:
    return [{"value": s.assignee.username, "label": s.assignee.name, "position": s.sign_position}
            for s in open_signers(session, item) if s.assignee is not None]


def _can_remove_signer(session: Session, user: User, item: WorkItem) -> bool:
    return (item.status == "open" and item.kind == "task" and permissions.acting_principal(session, item, user)
            is not None and bool(open_signers(session, item)))


def _admin(session: Session, user: User, target: Any) -> bool:
    return permissions.is_admin(session, user) and getattr(target, "status", None) in ("open", "running")


REASON = Param("reason", "理由")
TO_USER = Param("to", "接收人", kind="user")

register(Action("complete", "提交", ITEM, completion.complete_item, completion.can_complete, http=False,
                summary="同意/不同意（按表单）、加签签署或重新提交"))
register(Action("claim", "认领", ITEM, claims.claim, claims.can_claim, http=False, summary="认领共享的待办"))
register(Action("release", "释放", ITEM, claims.release, claims.can_release, summary="释放已认领的待办"))
register(Action("return", "退回", ITEM, returning.return_item, common.handling,
                (Param("to", "退回到", kind="step", options=returning.return_options), Param("reason", "退回理由")),
                summary="退回到发起人或之前办理过的步骤"))
register(Action("transfer", "转办", ITEM, transfer.transfer, common.handling,
                (TO_USER, Param("reason", "转办理由")), summary="转给他人办理"))
register(Action("add-signer", "加签", ITEM, signers.add_signer, common.handling,
                (Param("user", "加签人", kind="user", arg="user_name"),
                 Param("position", "加签方式", kind="choice", choices=signers.POSITIONS),
                 Param("reason", "加签说明", required=False)), summary="向前或向后加签"))
register(Action("remove-signer", "减签", ITEM, signers.remove_signer, _can_remove_signer,
                (Param("user", "减签人", kind="user", arg="user_name", options=_signer_options),
                 Param("reason", "减签说明", required=False)), summary="移除尚未签署的加签人"))
register(Action("take-back", "拿回", ITEM, take_back.take_back, take_back.can_take_back,
                (Param("reason", "拿回说明", required=False),), summary="下一步尚未办理时拿回本人已办的步骤",
                confirm="拿回后，下一步办理人的待办将被撤销。确定拿回？"))
register(Action("remind", "催办", ITEM, remind.remind, remind.can_remind,
                (Param("note", "催办说明", required=False),), summary="提醒当前办理人（每小时至多一次）"))
register(Action("reassign", "改派", ITEM, transfer.reassign, _admin, (TO_USER, Param("reason", "改派理由")),
                admin=True, summary="管理员改派办理人"))
register(Action("withdraw", "撤回", INSTANCE, ending.withdraw, ending.can_withdraw, (Param("reason", "撤回理由"),),
                summary="发起人撤回（审批人尚未办理时）", confirm="撤回后，该流程将结束。确定撤回？"))
register(Action("cc", "抄送", INSTANCE, cc.cc, cc.may_cc,
                (Param("users", "抄送人", kind="users"), Param("note", "抄送说明", required=False)),
                summary="抄送给他人知悉"))
register(Action("comments", "评论", INSTANCE, comments.comment, permissions.can_view_instance,
                (Param("body", "评论内容"),), summary="发表评论（不影响流转）"))
register(Action("terminate", "终止", INSTANCE, ending.terminate, _admin, (Param("reason", "终止理由"),),
                admin=True, summary="管理员终止流程", confirm="终止后，该流程将结束且不可恢复。确定终止？"))
