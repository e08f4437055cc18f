"""Static files with fingerprinted names: cached for a year, compressed once.

`url_for('static', filename='css/app.css')` gives `/static/css/app.<hash>.css`,
the hash being the first 12 hex digits of the file's SHA-256. That URL is
served with `Cache-Control: public, max-age=31536000, immutable`: a new
version of the file has a new name, so browsers never need to ask again. The
plain name (`/static/css/app.css`) still works, cached for STATIC_MAX_AGE
seconds only, and so does an old fingerprint after a deploy (the current file,
briefly cached).

ES modules import each other by plain relative names (`./dom.js`); a page that loads them puts
`static_import_map(folder)` in a `<script type="importmap">`, which sends those imports to the
fingerprinted names too.

Files are read once and kept in memory (re-read when their size or mtime
changes); Flask-Compress compresses them, and its cache keeps the compressed
bytes per file version, so a file is compressed once per process and encoding.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, abort, current_app, request, url_for
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup
from werkzeug.security import safe_join

DIGEST_LENGTH = 12
FINGERPRINTED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{DIGEST_LENGTH}}})(?P<ext>\.[A-Za-z0-9]+)$")
_ENVIRON_KEY = "yishi.static_version"
_CACHE_MARK = "|static|"


@dataclass(frozen=True)
class Asset:
    data: bytes
    digest: str
    mimetype: str
    modified: datetime
    signature: tuple[int, int]  # (mtime_ns, size): re-read when it changes


class StaticAssets:
    """The files under one static folder, with their content hashes."""

    def __init__(self, folder: str | Path):
        self.folder = str(folder)
        self._files: dict[str, Asset] = {}
        self._lock = threading.Lock()

    def load(self, filename: str) -> Asset | None:
        """The file's bytes and hash, or None if there is no such file."""
        path = safe_join(self.folder, filename)
        if path is None:
            return None
        try:
            stat = Path(path).stat()
        except OSError:
            return None
        if not Path(path).is_file():
            return None
        signature = (stat.st_mtime_ns, stat.st_size)
        asset = self._files.get(filename)
        if asset is not None and asset.signature == signature:
            return asset
        data = Path(path).read_bytes()
        mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        asset = Asset(
            data=data,
            digest=hashlib.sha256(data).hexdigest()[:DIGEST_LENGTH],
            mimetype=mimetype,
            modified=datetime.fromtimestamp(stat.st_mtime, UTC),
            signature=signature,
        )
        with self._lock:
            self._files[filename] = asset
        return asset

    def fingerprinted(self, filename: str) -> str:
        """`css/app.css` → `css/app.<hash>.css` (unchanged if the file is missing or has no extension)."""
        stem, dot, ext = filename.rpartition(".")
        if not dot or not stem or "/" in ext:
            return filename
        asset = self.load(filename)
        if asset is None:
            return filename
        return f"{stem}.{asset.digest}.{ext}"

    def resolve(self, requested: str) -> tuple[Asset, bool] | None:
        """The asset for a requested name and whether that name is its current fingerprint."""
        asset = self.load(requested)
        if asset is not None:
            return asset, False
        match = FINGERPRINTED.match(requested)
        if match is None:
            return None
        asset = self.load(match["stem"] + match["ext"])
        if asset is None:
            return None
        return asset, asset.digest == match["digest"]


class CompressedStaticCache:
    """Flask-Compress's cache backend: keeps compressed static files only, never pages."""

    MAX_ENTRIES = 1024

    def __init__(self):
        self._data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self._data.get(key)

    def set(self, key: str, value: bytes) -> None:
        if _CACHE_MARK in key and (key in self._data or len(self._data) < self.MAX_ENTRIES):
            self._data[key] = value


def compress_cache_key(req) -> str:
    """A static file's key names its version; any other response gets a key the cache ignores."""
    version = req.environ.get(_ENVIRON_KEY)
    return f"{_CACHE_MARK}{version}" if version else "|page|"


class SessionInterface(SecureCookieSessionInterface):
    """The cookie session, left alone on static files.

    Flask-Login looks at the session after every request, which makes Flask add
    `Vary: Cookie`; a static file is the same for everyone, so its response
    neither varies on nor sets the cookie (shared caches may keep it).
    """

    def open_session(self, app, request):
        """A Socket.IO event's request context opens the session of the connection's handshake, which
        Flask-SocketIO replaces at once by the connection's own (kept in the environ from its first event):
        that one is taken as it is, without checking the cookie's signature and decoding it again on every
        event (7% of the process in a burst of a thousand votes: bench/NOTES.md)."""
        managed = request.environ.get("saved_session")
        if managed is not None:
            return managed
        return super().open_session(app, request)

    def save_session(self, app, session, response) -> None:
        if request.endpoint == "static":
            return
        super().save_session(app, session, response)


def register_static_assets(app: Flask) -> None:
    """Serve /static/ through StaticAssets and make url_for('static', ...) fingerprinted."""
    assets = StaticAssets(app.static_folder)
    app.extensions["yishi_static_assets"] = assets
    app.session_interface = SessionInterface()
    app.config.setdefault("COMPRESS_CACHE_BACKEND", CompressedStaticCache)
    app.config.setdefault("COMPRESS_CACHE_KEY", compress_cache_key)

    @app.url_defaults
    def _fingerprint(endpoint, values):
        if endpoint == "static" and "filename" in values:
            values["filename"] = assets.fingerprinted(values["filename"])

    def static(filename: str):
        """A static file: a year's immutable caching under its fingerprint, a short one otherwise."""
        found = assets.resolve(filename)
        if found is None:
            abort(404)
        asset, immutable = found
        response = current_app.response_class(asset.data, mimetype=asset.mimetype)
        response.set_etag(asset.digest)
        response.last_modified = asset.modified
        response.cache_control.public = True
        if immutable:
            response.cache_control.max_age = current_app.config["STATIC_IMMUTABLE_MAX_AGE"]
            response.cache_control.immutable = True
        else:
            response.cache_control.max_age = current_app.config["STATIC_MAX_AGE"]
        request.environ[_ENVIRON_KEY] = f"{filename}:{asset.digest}"
        return response.make_conditional(request)

    app.view_functions["static"] = static

    @app.template_global()
    def static_import_map(folder: str) -> Markup:
        """An import map for the ES modules in one static folder: each plain URL to its fingerprinted one.

        A module's `import ... from './dom.js'` resolves to the plain name; with this map on the page the
        browser loads `dom.<hash>.js` instead (cached for a year, never a stale mix of versions). Without
        the map (an old browser) the plain names still work, briefly cached.
        """
        base = Path(app.static_folder) / folder
        root = request.script_root + app.static_url_path
        imports = {
            f"{root}/{folder}/{path.name}": url_for("static", filename=f"{folder}/{path.name}")
            for path in sorted(base.glob("*.js"))
        }
        return Markup(json.dumps({"imports": imports}, separators=(",", ":")))
