"""Meetings with an agenda (议事会): a consultation's meeting in the hall and its online room, the sign-in
by QR code or by staff, the quorum from both, the chair moving through the agenda, and the minutes published
for 公示 with objections."""

from flask import Blueprint

bp = Blueprint("meetings", __name__)
