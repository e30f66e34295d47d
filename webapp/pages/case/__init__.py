"""The case page (详情): header and data, the action bar and its small forms, the opinion timeline
(审批记录) and the 流转记录, and the administrator's minimal 流程实例 page."""
