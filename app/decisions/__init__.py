"""Owners' decisions (业主共同决定, Civil Code art. 278): a frozen roll of owners, named votes online and on
paper (entered twice), the count by area and headcount against the thresholds, certification and 公示."""

from flask import Blueprint

bp = Blueprint("decisions", __name__)
