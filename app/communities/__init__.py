"""Communities: districts, streets, communities, buildings, households,
memberships and roles, invite codes, verification and the household roster."""

from flask import Blueprint

bp = Blueprint("communities", __name__)
