"""In-app notifications and the per-user /notifications socket room."""

from flask import Blueprint

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
