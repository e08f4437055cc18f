"""Accounts: registration, login, logout, profile and display settings."""

from flask import Blueprint

# no URL prefix: the account pages are under /account/, the language and text-size switches under /prefs/
bp = Blueprint("accounts", __name__)
