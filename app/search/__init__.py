"""Search: one box that finds ideas, consultations and their speeches, micro-projects, contest entries and
owners' decisions by Chinese text (docs/search.md). Each kind registers a provider (registry.py); the index
(a table of search documents) follows every flush (index.py); the search itself is services.py."""

from flask import Blueprint

bp = Blueprint("search", __name__)
