"""Cross-feature flows: use cases that span features (an idea adopted as a consultation or a micro-project,
an idea entered in a contest, contest winners granted as micro-projects) and the wiring of one feature's
signals to another's reactions. Flows sit above the features: a feature never imports another feature's
write path, and no feature imports this package."""

from flask import Blueprint

bp = Blueprint("flows", __name__)

from app.flows import contest_routes as _contest_routes  # noqa: E402, F401  (the views need bp above)
