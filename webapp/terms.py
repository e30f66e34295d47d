"""Words that services, forms and diagrams choose and the templates translate at display time
(`|trans`, `_(variable)`). Listed here so that `pybabel extract` puts them in the catalog."""

from __future__ import annotations


def _(text: str) -> str:
    return text


TERMS = (
    # action bar: the platform's own actions and the usual decision words of the forms
    _("认领"), _("提交"), _("同意"), _("不同意"), _("退回"), _("退回修改"), _("终止"), _("转办"), _("加签"),
    _("撤回"), _("催办"), _("抄送"), _("评论"),
    # route preview notes
    _("由前序步骤指定"), _("取决于干部管理权限"),
    # the login form
    _("请输入用户名"), _("请输入密码"), _("用户名或密码错误"), _("请先登录"), _("已退出登录"),
)
