"""干部信息 (cadre records, issue 15 item 1): the fields of the 干部任免审批表 kept per cadre, who may
read and edit them (the 组织部 of the unit that manages the cadre), their import from and export to
a 干部信息采集表 (.xlsx), and the demo records. Every change and every whole-record read is audited."""
