"""Security headers on every response."""

from __future__ import annotations

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


def register_security_headers(app) -> None:
    """Attach CSP (no inline script), nosniff, frame and referrer policies; HSTS when HSTS_SECONDS is set
    (production: a year), telling browsers to use HTTPS only for the site from then on."""
    seconds = int(app.config.get("HSTS_SECONDS") or 0)
    hsts = f"max-age={seconds}" if seconds > 0 else None

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if hsts:
            response.headers.setdefault("Strict-Transport-Security", hsts)
        return response
