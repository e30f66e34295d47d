"""OrgFlow services: the engine, routing, rules, audit and the verbs the web layer calls.

Nothing here imports Flask; every function takes the SQLAlchemy session it works in and never
commits (the caller commits once per user action).
"""
