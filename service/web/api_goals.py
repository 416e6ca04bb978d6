"""JSON API of goals and the alignment report."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api_goals", __name__, url_prefix="/api")
