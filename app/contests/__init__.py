"""Proposal contests (提案大赛): entries, screening, an approval vote, certified results, winners."""

from flask import Blueprint

bp = Blueprint("contests", __name__)
