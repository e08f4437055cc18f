"""Social organisations (社会组织): the registry the street and district verify, the people who act for an
organisation, and its qualifications. Calls for service projects and the contests read it (`queries`)."""

from flask import Blueprint

bp = Blueprint("orgs", __name__)

from app.orgs import routes as _routes  # noqa: E402, F401  (the views need bp above)
