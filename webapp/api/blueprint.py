"""The /api/v1 blueprint; route modules attach to it (see `webapp.register_blueprints`)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
