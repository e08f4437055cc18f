"""Benchmark 6: the consultation room's first load in Chromium, every request and its compressed size."""

from __future__ import annotations

import time
from urllib.parse import urlparse

CHROMIUM = "/usr/bin/chromium"


def measure(base_url: str, path: str, cookie_name: str, cookie: str) -> dict:
    """Load `path` on an empty cache, logged in, asking for gzip or br; sum what came over the wire."""
    from playwright.sync_api import sync_playwright

    rows: list[dict] = []
    sockets: list[str] = []
    failed: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True)
        try:
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, extra_http_headers={"Accept-Encoding": "gzip, br"}
            )
            context.add_cookies([{"name": cookie_name, "value": cookie, "url": base_url}])
            page = context.new_page()
            finished = []
            page.on("requestfinished", lambda request: finished.append(request))
            page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
            page.on("websocket", lambda socket: sockets.append(socket.url))
            response = page.goto(base_url + path, wait_until="load")
            status = response.status if response else None
            time.sleep(2)  # let the socket.io client connect and anything lazy arrive
            for request in finished:
                sizes = request.sizes()
                reply = request.response()
                headers = reply.headers if reply else {}
                rows.append(
                    {
                        "url": urlparse(request.url).path
                        + (f"?{urlparse(request.url).query}" if urlparse(request.url).query else ""),
                        "type": request.resource_type,
                        "status": reply.status if reply else None,
                        "body_bytes": sizes["responseBodySize"],
                        "header_bytes": sizes["responseHeadersSize"],
                        "encoding": headers.get("content-encoding", ""),
                        "cache_control": headers.get("cache-control", ""),
                    }
                )
            context.close()
        finally:
            browser.close()
    # The socket.io transport (long-polling handshake, if any) is not page weight: listed apart.
    page_rows = [r for r in rows if "/socket.io/" not in r["url"] or r["url"].endswith(".js")]
    transport = [r for r in rows if r not in page_rows]
    return {
        "status": status,
        "requests": len(page_rows),
        "body_bytes": sum(r["body_bytes"] for r in page_rows),
        "header_bytes": sum(r["header_bytes"] for r in page_rows),
        "rows": page_rows,
        "transport": transport,
        "websockets": sockets,
        "failed": failed,
    }
