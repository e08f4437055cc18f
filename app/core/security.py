"""Security headers on every response."""

from __future__ import annotations

import base64
import hashlib

from flask import g
from markupsafe import Markup

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def csp_script_hash(text: str) -> Markup:
    """Allow one inline script of exactly this text on the page being rendered (by its SHA-256 in the
    page's CSP): for data the browser must have inline, such as an import map. Returns "" to put in a
    template: `<script type="importmap"{{ csp_script_hash(text) }}>{{ text }}</script>`."""
    digest = base64.b64encode(hashlib.sha256(str(text).encode()).digest()).decode()
    hashes = g.setdefault("csp_script_hashes", [])
    if digest not in hashes:
        hashes.append(digest)
    return Markup("")


def _policy() -> str:
    hashes = g.get("csp_script_hashes") if g else None
    if not hashes:
        return CSP
    allowed = " ".join(f"'sha256-{h}'" for h in hashes)
    return CSP.replace("script-src 'self'", f"script-src 'self' {allowed}", 1)


def register_security_headers(app) -> None:
    """Attach CSP (no inline script but the hashed ones a page asked for), nosniff, frame and referrer
    policies; HSTS when HSTS_SECONDS is set (production: a year), telling browsers to use HTTPS only for the
    site from then on."""
    app.add_template_global(csp_script_hash)
    seconds = int(app.config.get("HSTS_SECONDS") or 0)
    hsts = f"max-age={seconds}" if seconds > 0 else None

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", _policy())
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
