"""The community's own rules of procedure (议事规则): drafted from a template, open for comments for a period,
put to a vote of the verified residents (app/voting), and once adopted the community's default for new
consultations (app/procedure.versions keeps the versions)."""

from flask import Blueprint

bp = Blueprint("rulebook", __name__)
