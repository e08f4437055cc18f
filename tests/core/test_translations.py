"""The Simplified Chinese catalogue: complete, well-formed, up to date with the sources, and used.

The UI is Chinese first. A new `_()` / `_l()` / `ngettext()` string in the code or the
templates fails this suite until it is translated:

    make update-messages        # extract, then merge into the catalogues
    (translate the new entries in app/translations/zh_Hans_CN/LC_MESSAGES/messages.po)
    make translations           # compile the .mo files

Babel turns the locale "zh_CN" into Locale("zh", "CN", script="Hans"), so Flask-Babel
looks for app/translations/zh_Hans_CN/: the catalogue lives there. The page tests below
fail if it or its compiled .mo is missing.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages import frontend
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext, ngettext

ROOT = Path(__file__).resolve().parents[2]
ZH_PO = ROOT / "app" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]")
HAN = re.compile(r"[\u4e00-\u9fff]")


def _catalog():
    with ZH_PO.open("rb") as f:
        return read_po(f, locale="zh_CN")


def _key(msgid) -> str:
    return msgid[0] if isinstance(msgid, (tuple, list)) else msgid


def _strings(value) -> list[str]:
    return list(value) if isinstance(value, (tuple, list)) else [value]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text or ""))


def _extracted_msgids() -> dict[str, str]:
    """Every msgid in the sources, found as `make extract-messages` finds them (babel.cfg)."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as f:
        parse = getattr(frontend, "parse_mapping_cfg", None) or frontend.parse_mapping
        method_map, options_map = parse(f)
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None)
    found: dict[str, str] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        msgid = _key(message)
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


def test_catalogue_header_is_simplified_chinese_with_one_plural_form():
    catalog = _catalog()
    headers = dict(catalog.mime_headers)
    assert headers.get("Language") == "zh_CN"
    assert headers.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert not catalog.fuzzy, "the catalogue header is marked fuzzy"


def test_every_message_is_translated_with_the_same_placeholders():
    problems = []
    messages = [m for m in _catalog() if m.id]
    assert messages, f"{ZH_PO} holds no messages"
    for m in messages:
        ids = _strings(m.id)
        strings = _strings(m.string)
        label = repr(_key(m.id))
        if m.fuzzy:
            problems.append(f"{label}: marked fuzzy")
        if m.pluralizable and len(strings) != 1:
            problems.append(f"{label}: zh_CN has one plural form, found {len(strings)} msgstr entries")
        for s in strings:
            if not (s or "").strip():
                problems.append(f"{label}: not translated")
                continue
            for msgid in ids:
                if _placeholders(s) != _placeholders(msgid):
                    problems.append(f"{label}: placeholders {_placeholders(s)} != {_placeholders(msgid)}")
            if m.python_format and "%" in PLACEHOLDER.sub("", s).replace("%%", ""):
                problems.append(f"{label}: a stray % in {s!r} would break formatting")
    assert not problems, "zh_CN catalogue problems:\n" + "\n".join(problems)


def test_every_message_in_the_sources_is_in_the_catalogue():
    catalogued = {_key(m.id) for m in _catalog() if m.id}
    missing = {msgid: where for msgid, where in _extracted_msgids().items() if msgid not in catalogued}
    assert not missing, (
        f"{len(missing)} message(s) in the code are missing from the zh_CN catalogue "
        "(run `make update-messages`, translate them, then `make translations`):\n"
        + "\n".join(f"  {where}: {msgid!r}" for msgid, where in sorted(missing.items(), key=lambda kv: kv[1]))
    )


def test_the_catalogue_is_loaded_outside_a_request(app):
    with force_locale("zh_CN"):
        assert gettext("Waiting for verification") == "等待认证", (
            "the zh_CN translations are not loaded: run `make translations` to compile them, "
            "and check that app/translations/zh_Hans_CN links to zh_CN"
        )
        assert ngettext("%(num)d person", "%(num)d people", 3) == "共 3 人"
    with force_locale("en"):  # the en catalogue is empty: English falls back to the msgids
        assert gettext("Waiting for verification") == "Waiting for verification"
        assert ngettext("%(num)d person", "%(num)d people", 1) == "1 person"
        assert ngettext("%(num)d person", "%(num)d people", 3) == "3 people"


# One request per test: the `app` fixture keeps one app context, so Flask-Babel
# would remember the first request's locale for the rest of the test.
@pytest.mark.parametrize(
    "accept_language",
    [None, "zh-CN,zh;q=0.9,en;q=0.5", "zh"],
    ids=["no-header", "zh-CN", "zh"],
)
def test_home_page_is_chinese_by_default(app, accept_language):
    client = app.test_client()  # no Accept-Language unless given: the real default
    headers = {"Accept-Language": accept_language} if accept_language else {}
    body = client.get("/", headers=headers).get_data(as_text=True)
    log_in = next(m.string for m in _catalog() if m.id == "Log in")
    assert f">{log_in}</a>" in body, "the login link is not translated: is zh_CN compiled and linked as zh_Hans_CN?"
    assert "大家的事，大家商量着办" in body
    assert "Log in" not in body and "Talk it over" not in body


def test_home_page_is_english_from_accept_language(client):
    body = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert ">Log in</a>" in body and "Talk it over, decide together" in body
    main = body.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    assert not HAN.search(main), "Chinese text in the English home page"


def test_no_message_is_in_the_catalogue_twice():
    """A msgid written twice compiles silently, and only the first translation is ever shown."""
    ids = re.findall(r'^msgid "(.+)"$', ZH_PO.read_text(encoding="utf-8"), flags=re.MULTILINE)
    twice = sorted({i for i in ids if ids.count(i) > 1})
    assert twice == []
