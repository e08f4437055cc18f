"""Notices (社区公告): staff, the owners' committee, the property manager and building leaders post notices
to the community or one building; residents in scope read them and get them by their chosen channels."""

from flask import Blueprint

bp = Blueprint("notices", __name__)
