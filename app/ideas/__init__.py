"""Golden ideas (金点子): residents' suggestions, endorsements, comments, and the status loop."""

from flask import Blueprint

bp = Blueprint("ideas", __name__)
