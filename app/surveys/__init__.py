"""The survey engine (问卷): questionnaires, quick polls and satisfaction campaigns' questions, one response
per person or per household, anonymous or named, results hidden until the close. A kernel: it knows no
feature; a survey's owner is named by kind and id (a campaign, a milestone, ...)."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)
