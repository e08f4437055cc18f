"""Residents' needs (需求清单): submitted, supported by households, screened by experts into the year's
project guidance list (项目指引清单) that contests, micro-projects and service projects answer."""

from flask import Blueprint

bp = Blueprint("needs", __name__)
