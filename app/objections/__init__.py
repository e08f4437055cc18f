"""Objections during 公示, for every feature that publishes something for objection (an owners' decision's or a
contest's published result, a meeting's minutes): one table keyed by what they object to, one way to raise,
answer and moderate them. A kernel: it knows no feature; the owners' kinds are registered from app/flows."""

from flask import Blueprint

bp = Blueprint("objections", __name__)
