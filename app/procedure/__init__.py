"""Rules of procedure (议事规则): rule sets, the two shipped templates, and the rule engine."""

from flask import Blueprint

bp = Blueprint("procedure", __name__)
