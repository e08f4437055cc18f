"""The manifest, the service worker's script and the offline page, over HTTP (the browser test,
tests/browser/test_pwa.py, checks what the worker does)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from PIL import Image

from tests import factories

STATIC = Path(__file__).resolve().parents[2] / "static"


def _static_file(url: str) -> Path:
    name = re.sub(r"\.[0-9a-f]{12}(\.[A-Za-z0-9]+)$", r"\1", url.removeprefix("/static/"))
    return STATIC / name


def _status(client, url) -> int:
    response = client.get(url)
    response.close()
    return response.status_code


def test_the_manifest_names_yishi_and_its_icons(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response.mimetype == "application/manifest+json"
    manifest = json.loads(response.get_data(as_text=True))
    assert (manifest["name"], manifest["short_name"], manifest["start_url"], manifest["display"]) == (
        "议事 Yishi",
        "议事",
        "/",
        "standalone",
    )
    assert manifest["theme_color"] == "#9b1c1c"
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        side = int(icon["sizes"].split("x")[0])
        with Image.open(_static_file(icon["src"])) as image:
            assert image.size == (side, side)
        assert _status(client, icon["src"]) == 200


def test_every_page_links_the_manifest_and_the_worker_s_script(client):
    page = client.get("/account/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert 'rel="apple-touch-icon"' in page
    # registered by app.js, every page's one script of its own: not a request of its own
    assert re.search(r'<script src="/static/js/app\.[0-9a-f]{12}\.js" defer>', page)
    assert "pwa." not in page


def test_the_worker_is_served_from_the_root_never_cached_and_precaches_the_shell_only(client):
    response = client.get("/sw.js")
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    script = response.get_data(as_text=True)
    shell = json.loads(re.search(r"const SHELL = (\[.*?\]);", script).group(1))
    assert "/offline" in shell
    assert all(url == "/offline" or url.startswith("/static/") for url in shell), shell
    for url in shell:
        assert _status(client, url) == 200, url
    assert "cache.put" not in script  # nothing fetched at run time is stored
    assert 'request.mode === "navigate"' in script


def test_the_offline_page_is_bilingual_and_the_same_for_everyone(app, client, world):
    visitor = client.get("/offline").get_data(as_text=True)
    assert "您现在没有联网" in visitor and "You are offline" in visitor
    with client.session_transaction() as session:
        session["_user_id"] = factories.login_token(world.users["resident"])
    member = client.get("/offline").get_data(as_text=True)
    assert "resident" not in member
    assert re.sub(r'name="csrf-token" content="[^"]*"', "", member) == re.sub(
        r'name="csrf-token" content="[^"]*"', "", visitor
    )
