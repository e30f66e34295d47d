"""SQLAlchemy models. This module only re-exports, so Alembic sees every table."""

from models.audit_event import AuditEvent
from models.audit_event import AuditHead
from models.base import Base
from models.cache_version import CacheVersion
from models.cadre import EVENT_MARKS
from models.cadre import EVENT_SOURCES
from models.cadre import MANAGEMENT_LEVELS
from models.cadre import CadreAward
from models.cadre import CadreEvent
from models.cadre import CadreFamilyMember
from models.cadre import CadreRecord
from models.cadre import CadreResumeEntry
from models.collaboration import Attachment
from models.collaboration import CaseCC
from models.collaboration import CaseComment
from models.collaboration import Delegation
from models.collaboration import Notification
from models.login_attempt import LoginFailure
from models.org import OrgUnit
from models.org import UnitLevel
from models.process import FINAL_STATUSES
from models.process import NumberSequence
from models.process import ProcessDefinition
from models.process import ProcessInstance
from models.process import ProcessStatus
from models.record import RATINGS
from models.record import AnnualRating
from models.record import CalendarDay
from models.record import CalendarOverride
from models.record import CalendarYear
from models.record import InfluencePeriod
from models.record import ProbationRecord
from models.record import ReservePoolEntry
from models.record import RulePackWindow
from models.reserve import ReserveMeasure
from models.reserve import ReserveReview
from models.timer_job import TimerJob
from models.timer_job import TimerStatus
from models.user import ApiToken
from models.user import MemberStatus
from models.user import RelationKind
from models.user import Role
from models.user import RoleAssignment
from models.user import User
from models.user import UserRelation
from models.weekly import Supervision
from models.weekly import WeeklyReport
from models.weekly import WeeklySchedule
from models.weekly import WeeklyStatus
from models.work_item import WorkItem
from models.work_item import WorkItemCandidate
from models.work_item import WorkItemKind
from models.work_item import WorkItemStatus

__all__ = [
    "CacheVersion",
    "Attachment",
    "Supervision",
    "WeeklyReport",
    "WeeklySchedule",
    "WeeklyStatus",
    "CaseCC",
    "CaseComment",
    "Delegation",
    "Notification",
    "FINAL_STATUSES",
    "RATINGS",
    "AnnualRating",
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Base",
    "CadreAward",
    "CadreEvent",
    "EVENT_MARKS",
    "EVENT_SOURCES",
    "CadreFamilyMember",
    "CadreRecord",
    "CadreResumeEntry",
    "MANAGEMENT_LEVELS",
    "CalendarDay",
    "CalendarOverride",
    "CalendarYear",
    "InfluencePeriod",
    "ProbationRecord",
    "LoginFailure",
    "MemberStatus",
    "NumberSequence",
    "OrgUnit",
    "ProcessDefinition",
    "ProcessInstance",
    "ProcessStatus",
    "ReserveMeasure",
    "ReservePoolEntry",
    "ReserveReview",
    "RelationKind",
    "RulePackWindow",
    "Role",
    "RoleAssignment",
    "TimerJob",
    "TimerStatus",
    "UnitLevel",
    "User",
    "UserRelation",
    "WorkItem",
    "WorkItemCandidate",
    "WorkItemKind",
    "WorkItemStatus",
]
