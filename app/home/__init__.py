"""The community's home: what needs the viewer now and what is happening, read from every feature, and
where a login lands. It sits at the flows layer: it reads the features (each feature's `queries` decide
what counts, the home only assembles) and no feature imports it."""

from flask import Blueprint

bp = Blueprint("home", __name__)

from app.home import routes as _routes  # noqa: E402, F401  (the views need bp above)
from app.home import showcase as _showcase  # noqa: E402, F401  (the organisations' showcase page)
