"""ES modules under fingerprinting: the room page's import map sends every module's plain name to its
content-hashed one, each of those is served (compressed, cached immutably, as JavaScript), and the page's
CSP allows that one inline script by its hash and no other."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from pathlib import Path

from app.consultations.models import Consultation, Phase
from app.extensions import db
from tests.consultations.conftest import logged_in, make_consultation

ROOM_MODULES = Path(__file__).parents[2] / "static" / "js" / "room"


def _room_page(app, world):
    from app.procedure.shipped import ensure_shipped

    templates = {r.key: r for r in ensure_shipped()}
    consultation = make_consultation(world, templates, phase=Phase.OPEN)
    assert db.session.get(Consultation, consultation.id) is not None
    return logged_in(app, world.users["resident"]).get(f"/consultations/{consultation.id}")


def _import_map(html: str) -> tuple[str, dict]:
    text = re.search(r'<script type="importmap">(.*?)</script>', html, re.S).group(1)
    return text, json.loads(text)["imports"]


def test_the_import_map_names_every_room_module_by_its_fingerprint(app, world, client):
    page = _room_page(app, world)
    _, imports = _import_map(page.get_data(as_text=True))
    modules = sorted(p.name for p in ROOM_MODULES.glob("*.js"))

    assert sorted(imports) == [f"/static/js/room/{name}" for name in modules]
    for plain, hashed in imports.items():
        data = (ROOM_MODULES / plain.rsplit("/", 1)[1]).read_bytes()
        assert hashed == plain[: -len(".js")] + f".{hashlib.sha256(data).hexdigest()[:12]}.js"
        response = client.get(hashed, headers={"Accept-Encoding": "gzip"})
        assert response.status_code == 200 and response.mimetype == "text/javascript"
        assert response.headers["Content-Encoding"] == "gzip" and gzip.decompress(response.data) == data
        assert response.cache_control.immutable


def test_every_relative_import_of_a_module_is_in_the_map(app, world):
    _, imports = _import_map(_room_page(app, world).get_data(as_text=True))
    found = 0
    for path in ROOM_MODULES.glob("*.js"):
        for name in re.findall(r"""^import .*?['"]\./([\w-]+\.js)['"];$""", path.read_text(), re.M):
            assert f"/static/js/room/{name}" in imports, (path.name, name)
            found += 1
    assert found >= 10  # main.js alone imports nine


def test_the_page_allows_its_import_map_by_hash_and_no_other_inline_script(app, world):
    page = _room_page(app, world)
    text, _ = _import_map(page.get_data(as_text=True))
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    policy = page.headers["Content-Security-Policy"]

    script_src = next(p for p in policy.split("; ") if p.startswith("script-src"))
    assert script_src == f"script-src 'self' 'sha256-{digest}'"
    assert "unsafe-inline" not in policy


def test_other_pages_keep_the_plain_policy(client):
    assert "script-src 'self';" in client.get("/").headers["Content-Security-Policy"]
