"""Side effects on OrgFlow's own records when a step, an end event or a timer completes.

Importing this package registers every effect; `base` holds the registry.
"""

from workflows.effects import accountability as _accountability  # noqa: F401  (registers effects)
from workflows.effects import admission as _admission  # noqa: F401
from workflows.effects import assessment as _assessment  # noqa: F401
from workflows.effects import cadre as _cadre  # noqa: F401
from workflows.effects import commendation as _commendation  # noqa: F401
from workflows.effects import probation as _probation  # noqa: F401
from workflows.effects import special_report as _special_report  # noqa: F401
from workflows.effects import weekly as _weekly  # noqa: F401
from workflows.effects.base import EFFECTS
from workflows.effects.base import EffectContext
from workflows.effects.base import effect
from workflows.effects.base import run_effects
from workflows.effects.base import unknown_effects

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = ["EFFECTS", "EffectContext", "effect", "run_effects", "unknown_effects"]
