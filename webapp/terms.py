"""Words that services, forms and diagrams choose and the templates translate at display time
(`|trans`, `_(variable)`). Listed here so that `pybabel extract` puts them in the catalog."""

from __future__ import annotations


def _(text: str) -> str:
    return text


TERMS = (
    # action bar: the platform's own actions and the usual decision words of the forms
    _("认领"), _("提交"), _("同意"), _("不同意"), _("退回"), _("退回修改"), _("终止"), _("转办"), _("加签"),
    _("撤回"), _("催办"), _("抄送"), _("评论"),
    _("释放"), _("减签"), _("拿回"), _("改派"), _("重新提交"),
    # the small forms of the approval actions (workflows/actions/catalog.py) and their confirmations
    _("理由"), _("退回到"), _("退回理由"), _("接收人"), _("转办理由"), _("加签人"), _("加签方式"), _("加签说明"),
    _("减签人"), _("减签说明"), _("拿回说明"), _("催办说明"), _("改派理由"), _("撤回理由"), _("抄送人"), _("抄送说明"),
    _("评论内容"), _("终止理由"), _("向前加签"), _("向后加签"),
    _("拿回后，下一步办理人的待办将被撤销。确定拿回？"), _("撤回后，该流程将结束。确定撤回？"),
    _("终止后，该流程将结束且不可恢复。确定终止？"),
    # the 委托 form (webapp/pages/delegations.py)
    _("受托人"), _("开始日期"), _("默认今天"), _("结束日期（含当天）"), _("委托的流程"), _("不选则委托全部流程"),
    _("委托事由"), _("委托人"), _("管理员可为他人设置；不选则为本人"),
    # route preview notes
    _("由前序步骤指定"), _("取决于干部管理权限"),
    # the login form
    _("请输入用户名"), _("请输入密码"), _("用户名或密码错误"), _("请先登录"), _("已退出登录"),
    _("登录失败次数过多，请 15 分钟后再试"),
    # the password change form
    _("请输入当前密码"), _("请输入新密码"), _("请再次输入新密码"), _("新密码至少 8 位，最多 200 位"),
    _("两次输入的新密码不一致"), _("当前密码不正确"), _("密码已修改，其他设备上的登录已退出"),
    # the 预备党员 register (workflows/records/probation.py): tracks and outcomes
    _("正常程序"), _("一线快速通道（积极分子、发展对象）"), _("一线快速通道（一线入党申请人）"), _("未记录"),
    _("预备期中"), _("延长预备期"), _("已转正"), _("取消预备党员资格"),
    # the 后备干部库 (workflows/records/reserve*.py): categories, states, 培养措施 kinds, review decisions
    _("优秀年轻干部"), _("中长期培养对象"), _("未分类"), _("在库"), _("已调出"), _("全部"),
    _("疫情防控一线吃劲岗位"), _("挂职锻炼"), _("轮岗交流"), _("教育培训"), _("其他"),
    _("继续保留"), _("调整类别或培养方向"), _("调出后备干部库"),
)
