"""The shared kernel: errors, mixins, audit log, realtime and security helpers."""

from flask import Blueprint

bp = Blueprint("core", __name__)
