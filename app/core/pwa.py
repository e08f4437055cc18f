"""Yishi on a phone's home screen: the web app manifest, the service worker and its offline page.

The service worker (templates/core/sw.js, served from /sw.js so its scope is the whole site) precaches the
static shell — the fingerprinted CSS, JS and icons and the plain offline page — and nothing else, ever:
navigations go to the network only (the offline page answers when it fails), static files come from the
shell's cache or the network, and nothing fetched at run time is stored. Pages with personal data are
therefore never in Cache Storage. A deploy changes the fingerprints, so the worker's bytes and its cache's
name change with them: the browser installs the new worker and the old cache is deleted.
"""

from __future__ import annotations

import hashlib
import json

from flask import Response, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core import bp

THEME = "#9b1c1c"
SHELL_FILES = (
    "css/app.css",
    "js/app.js",
    "js/read-aloud.js",
    "favicon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/icon-maskable-512.png",
    "icons/apple-touch-icon.png",
)


def shell_urls() -> list[str]:
    """What the service worker precaches: the static shell (fingerprinted) and the offline page."""
    return [*(url_for("static", filename=name) for name in SHELL_FILES), url_for("core.offline")]


@bp.route("/manifest.webmanifest")
def manifest():
    """The web app manifest: name, start page, standalone display, theme colour and icons."""
    with force_locale("zh_CN"):
        description = _("Neighbourhood deliberation: consultations, golden ideas, micro-projects and owners' decisions")
    icon = lambda name, size, purpose="any": {  # noqa: E731
        "src": url_for("static", filename=f"icons/{name}"), "sizes": size, "type": "image/png", "purpose": purpose
    }  # fmt: skip
    body = {
        "name": "议事 Yishi",
        "short_name": "议事",
        "description": description,
        "lang": "zh-CN",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": THEME,
        "icons": [
            icon("icon-192.png", "192x192"),
            icon("icon-512.png", "512x512"),
            icon("icon-maskable-512.png", "512x512", "maskable"),
        ],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.cache_control.no_cache = True
    return response


@bp.route("/sw.js")
def service_worker():
    """The service worker, at the root so its scope is the whole site; browsers check it on every visit."""
    shell = shell_urls()
    version = hashlib.sha256("\n".join(shell).encode()).hexdigest()[:12]
    script = render_template("core/sw.js", shell=shell, offline=url_for("core.offline"), version=version)
    response = Response(script, mimetype="text/javascript")
    response.cache_control.no_cache = True
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/offline")
def offline():
    """The plain page shown when a page cannot load offline: both languages, large text, no personal data
    (it is cached, so it is the same for everyone)."""
    lines = []
    for locale in ("zh_CN", "en"):
        with force_locale(locale):
            lines.append(
                {
                    "lang": "zh-CN" if locale == "zh_CN" else "en",
                    "title": _("You are offline"),
                    "text": _("This page needs the internet. Check your Wi-Fi or mobile data, then try again."),
                    "again": _("Try again"),
                }
            )
    response = Response(render_template("core/offline.html", lines=lines))
    response.cache_control.no_cache = True
    return response
