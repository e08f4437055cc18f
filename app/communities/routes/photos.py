"""Community photos: served to members and overseers of the photo's community only."""

from __future__ import annotations

from flask import current_app, send_file
from flask_login import current_user, login_required

from app.communities import access, bp
from app.core.errors import NotFound
from app.core.uploads import Photo, may_see, photo_path

# -- photos ----------------------------------------------------------------


@bp.route("/photos/<int:photo_id>/thumb", defaults={"thumb": True})
@bp.route("/photos/<int:photo_id>", defaults={"thumb": False})  # registered first: url_for's default
@login_required
def photo(photo_id: int, thumb: bool = False):
    """A stored photo (or its thumbnail), for members and overseers of its community only, a restricted one (a
    signed authorisation) for those its package lets see it (404 otherwise: nothing confirms that it exists)."""
    found, _viewer = access.load(Photo, photo_id, current_user, can=may_see)
    return _send_photo(found, thumb)


def _send_photo(found: Photo, thumb: bool):
    path = photo_path(found, current_app.config["UPLOAD_DIR"], thumb=thumb)
    name = f"photo-{found.id}.{found.extension}"
    try:
        response = send_file(path, mimetype=found.content_type, conditional=True, max_age=86400, download_name=name)
    except FileNotFoundError:
        raise NotFound() from None
    response.cache_control.public = False  # community photos: browsers may keep them, shared caches may not
    response.cache_control.private = True
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Content-Disposition"] = f"inline; filename={name}"
    return response
