"""Satisfaction campaigns (群众满意度测评): residents judge community workers, social organisations and
projects through the survey engine; the district weighs the year's campaigns into a yearly assessment."""

from flask import Blueprint

bp = Blueprint("satisfaction", __name__)
