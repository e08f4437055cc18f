"""Plain words for procedural terms: each term has a one-line explanation, shown once per page beside its
first use, behind a "?" that opens without JavaScript (<details>).

The packages that own the words define them (procedure: 动议, 附议, 宣布表决, 法定人数; voting: 回执码, 选票指纹,
the ballot chain); templates ask by key:

    {{ term('motion') }}          the word, then its explanation the first time on the page
    {{ explain('second') }}       only the explanation (beside a button that says the word)
"""

from __future__ import annotations

from typing import NamedTuple

from flask import has_request_context, request
from flask_babel import gettext as _
from markupsafe import Markup, escape


class Term(NamedTuple):
    word: object  # lazy strings: translated when the page is rendered
    meaning: object


TERMS: dict[str, Term] = {}


def define(key: str, word, meaning) -> None:
    """Add a term (at import of the package that owns it). A key is defined once."""
    if key in TERMS and TERMS[key] != Term(word, meaning):
        raise ValueError(f"glossary term {key!r} is defined twice")
    TERMS[key] = Term(word, meaning)


def _first_use(key: str) -> bool:
    """Counted per request (its WSGI environ: `g` may outlive a request where an app context is shared)."""
    if not has_request_context():
        return True
    used = request.environ.setdefault("yishi.glossary_used", set())
    if key in used:
        return False
    used.add(key)
    return True


def explain(key: str) -> Markup:
    """The "?" and the explanation of `key`, the first time it is asked for on this page; "" after that."""
    term = TERMS[key]
    if not _first_use(key):
        return Markup("")
    question = _("What does “%(word)s” mean?", word=str(term.word))
    return Markup(
        '<details class="explain"><summary><span class="explain-mark" aria-hidden="true">?</span>'
        '<span class="visually-hidden">%s</span></summary><span class="explain-text">%s</span></details>'
    ) % (question, escape(str(term.meaning)))


def term(key: str, word=None) -> Markup:
    """The word (or `word`, another form of it), then its explanation on first use."""
    shown = word if word is not None else TERMS[key].word
    return Markup('<span class="term">%s</span>') % str(shown) + explain(key)


def register(app) -> None:
    app.add_template_global(term)
    app.add_template_global(explain)
