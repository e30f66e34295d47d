"""Every hard rule of DOMAIN.md §3 lives here (functions) and in `bpmn/rules/*.toml` (values).

Importing this package registers all checks.
"""

from workflows.rules import accountability as _accountability  # noqa: F401  (registers checks)
from workflows.rules import admission as _admission  # noqa: F401
from workflows.rules import assessment as _assessment  # noqa: F401
from workflows.rules import cadre as _cadre  # noqa: F401
from workflows.rules import commendation as _commendation  # noqa: F401
from workflows.rules import common as _common  # noqa: F401
from workflows.rules import dates as _dates  # noqa: F401
from workflows.rules import dues as _dues  # noqa: F401
from workflows.rules import meeting as _meeting  # noqa: F401
from workflows.rules import probation as _probation  # noqa: F401
from workflows.rules import reserve as _reserve  # noqa: F401
from workflows.rules import special_report as _special_report  # noqa: F401
from workflows.rules import weekly as _weekly  # noqa: F401
from workflows.rules.base import CHECKS
from workflows.rules.base import RuleContext
from workflows.rules.base import prepare_all
from workflows.rules.base import unknown_checks
from workflows.rules.base import validate_all
from workflows.rules.base import violation
from workflows.rules.packs import load_packs

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "CHECKS",
    "RuleContext",
    "eligibility",
    "load_packs",
    "overlays",
    "prepare_all",
    "recusal",
    "special_report",
    "table",
    "unknown_checks",
    "validate_all",
    "violation",
]
