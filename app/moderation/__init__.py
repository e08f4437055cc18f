"""Moderation, for every feature: reports, hide and restore, mutes, room locks, the moderator log."""

from flask import Blueprint

bp = Blueprint("moderation", __name__)
