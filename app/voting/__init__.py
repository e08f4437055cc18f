"""Voting: ballots, receipts and tallies, shared by motions, contests and owners' decisions."""

from flask import Blueprint

bp = Blueprint("voting", __name__)
