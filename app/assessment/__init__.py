"""精品社区 assessment: the district's schemes (criteria, points, the dashboards' figures that feed them, criteria
scored by hand with evidence), each community assessed per year, results published to the communities with the
formula shown (docs/assessment.md).

At the dashboards' layer: it reads their figures through `app.dashboards.reading`; nothing imports it."""

from flask import Blueprint

bp = Blueprint("assessment", __name__)

from app.assessment import routes as _routes  # noqa: E402, F401  (the views need bp above)
