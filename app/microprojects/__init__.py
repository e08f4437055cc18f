"""Micro-projects (微项目) and the community micro-fund (微基金)."""

from flask import Blueprint

bp = Blueprint("microprojects", __name__)
