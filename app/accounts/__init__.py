"""Accounts: registration, login, logout, profile and display settings."""

from flask import Blueprint

bp = Blueprint("accounts", __name__, url_prefix="/account")
