"""Slow deliberation (异步协商): a consultation over days without a live chair. Threaded replies under the
background with a stance, reactions, proposals (the consultation's motions) with a closing time on which
residents state and change a position until it closes; the close counts the positions in the motion's
verifiable poll. The rule set's mode says which (Mode.SLOW) and its limits are enforced by the rule engine."""

from flask import Blueprint

bp = Blueprint("slow", __name__)
