"""Street and district dashboards (街道 · 区): figures per community and per month or year, side by side and
over time, for the officers who oversee them and a community's own staff.

At the flows layer beside the home: it reads every feature's models (aggregates in SQL, never rows counted in
Python) and no feature imports it. A data source adds its figures as one section (`registry.section`)."""

from flask import Blueprint

bp = Blueprint("dashboards", __name__)

from app.dashboards import report_routes as _report_routes  # noqa: E402, F401  (the views need bp above)
from app.dashboards import routes as _routes  # noqa: E402, F401
