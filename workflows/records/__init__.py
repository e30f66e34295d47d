"""Registers about people that outlive one case: 干部信息 (cadre records — the fields of the
干部任免审批表 kept per cadre, who may read and edit them, their import from and export to a
干部信息采集表), the 后备干部库 (reserve pool, its 培养措施 and annual review) and the 预备党员
register. Every change and every whole-record read is audited."""

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "access",
    "cadre_edit",
    "cadre_export",
    "cadre_import",
    "cadres",
    "conduct",
    "fields",
    "probation",
    "reserve",
    "reserve_measures",
    "reserve_review",
    "special_reports",
    "workbook",
]
