"""A resident submits a golden idea with a photo from her phone and lands on the idea's page."""

from __future__ import annotations

import re
import time

import pytest
from PIL import Image

from config import INSTANCE_DIR, TestingConfig

pytestmark = pytest.mark.browser

RESIDENT = "13800000001"  # 王秀兰, 1栋 1-101 in the demo
TITLE = "1栋楼道加装扶手"


@pytest.fixture(autouse=True)
def upload_dir(tmp_path, monkeypatch):
    """Photos go to a temporary folder: live_server builds its config from TestingConfig, so patch it
    before the server starts (autouse fixtures are set up first)."""
    directory = tmp_path / "uploads"
    monkeypatch.setattr(TestingConfig, "UPLOAD_DIR", str(directory))
    return directory


def test_submit_an_idea_with_a_photo(live_server, phone, upload_dir, tmp_path):
    started = time.time()
    photo = tmp_path / "楼道照片.jpg"
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 58.0, 0.0), 3: "E", 4: (118.0, 47.0, 0.0)}  # GPS
    Image.new("RGB", (1024, 768), (120, 160, 90)).save(photo, "JPEG", exif=exif.tobytes())

    page = phone.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    failed = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    photo_id = None
    try:
        page.goto(f"{live_server}/account/login")
        page.locator("input[name=phone]").fill(RESIDENT)
        page.locator("input[name=password]").fill("yishi2026")
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url(re.compile(r"/(me|c/.*)$"))

        page.goto(f"{live_server}/c/cuizhuyuan/ideas/new")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        page.locator("input[name=title]").fill(TITLE)
        page.locator("select[name=category]").select_option("elderly")
        page.locator("textarea[name=description]").fill("楼道台阶陡，老人上下楼不方便。\n建议每层加装扶手。")
        page.locator("input[name=photos]").set_input_files(str(photo))
        page.locator("main form button[type=submit]").last.click()

        page.wait_for_url(re.compile(r"/ideas/\d+$"))
        assert page.locator("html").get_attribute("lang") == "zh-CN"
        assert page.locator("h1").inner_text() == TITLE
        assert "老人上下楼不方便" in page.locator(".idea-text").inner_text()
        thumb = page.locator(".idea-photos img").first
        thumb.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=thumb.element_handle())
        src = thumb.get_attribute("src")
        photo_id = int(re.fullmatch(r"/photos/(\d+)/thumb", src).group(1))
        assert thumb.evaluate("img => img.naturalWidth") > 0
        # the page fits a phone: nothing wider than the screen
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        stored = sorted(  # the photos' files (attached documents keep their own numbering, under documents/)
            p.name
            for p in upload_dir.rglob("*")
            if p.is_file() and p.name.startswith(f"{photo_id}.") and "documents" not in p.parts
        )
        assert stored == [f"{photo_id}.jpg", f"{photo_id}.thumb.jpg"]  # (the demo stores photos of its own)
        with Image.open(next(upload_dir.rglob(f"{photo_id}.jpg"))) as image:
            assert not image.getexif()
        assert not failed, failed
        assert not errors, errors
    finally:
        # Should the server not have used the temporary folder, leave no photo of this test behind
        # in instance/uploads (only files written since the test began).
        if photo_id is not None and not any(upload_dir.rglob(f"{photo_id}.*")):
            for path in (INSTANCE_DIR / "uploads").glob(f"*/{photo_id}.*"):
                if path.stat().st_mtime >= started:
                    path.unlink(missing_ok=True)
