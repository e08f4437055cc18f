"""Online consultations (线上协商): threads, speeches, the floor, motions, minutes, the live room."""

from flask import Blueprint

bp = Blueprint("consultations", __name__)
