"""社区工作事项准入: the district's admission list of work its departments may place on communities.

Departments request an item; district staff admit or refuse it in the yearly round (urgent items in between);
the admitted list is published; community staff object to work placed on them outside it. See docs/workitems.md."""

from flask import Blueprint

bp = Blueprint("workitems", __name__)
