"""OrgFlow services: the engine, routing, rules, audit and the verbs the web layer calls.

Nothing here imports Flask; every function takes the SQLAlchemy session it works in and never
commits (the caller commits once per user action).
"""

# The face: what code outside this package (the web layer above all) may use; `make lint`
# (scripts/check_layers.py) refuses anything else from webapp/.
__all__ = [
    "accounts",
    "actions",
    "admin",
    "audit",
    "calendar",
    "cases",
    "demo",
    "engine",
    "errors",
    "labels",
    "money",
    "notify",
    "records",
    "routing",
    "rules",
    "settings",
    "sql",
    "timers",
    "weekly",
]
