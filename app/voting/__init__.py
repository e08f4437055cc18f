"""Voting: polls, hash-chained ballots, receipts, counts, certification; shared by motions, contests and
owners' decisions."""

from flask import Blueprint

bp = Blueprint("voting", __name__)
