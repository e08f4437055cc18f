"""User text to safe HTML: Markdown through nh3 for backgrounds, plain text for speeches."""

from __future__ import annotations

import markdown
import nh3
from markupsafe import Markup, escape

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "h3", "h4", "a", "code", "pre", "hr",
    "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str) -> str:
    """Markdown to HTML, sanitised: no script, no style, no event handlers, links only http(s)/mailto."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_plain(text: str) -> str:
    """Plain text to HTML: everything escaped, line breaks kept."""
    return str(Markup("<br>").join(escape(line) for line in (text or "").split("\n")))
