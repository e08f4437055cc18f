"""睦邻互助会 (neighbourhood mutual-aid groups): a group covers one building or several of a community, is led
by their building leaders, resident group leaders and resident representatives, and has members who join
from the covered buildings. A group holds its own small consultations (made through the consultations
services, linked here), a board of help requests and offers (no money; phone numbers shown only when both
sides agree), and a yearly summary of what it settled and helped with."""

from flask import Blueprint

bp = Blueprint("neighbours", __name__)
