"""Markdown source -> sanitized HTML. The only module that uses markdown-it-py
and nh3; posts store both the source and this function's output.

markdown-it-py, not Python-Markdown: it is linear on hostile input (runs of
`[`, deep lists) where Python-Markdown takes seconds or overflows the stack.
nh3, not bleach: bleach is unmaintained. The renderer never emits raw HTML
(`html` is off), and nh3 checks its output against an allow-list anyway, so a
bug in either one alone cannot let script through.
"""

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "s", "strong", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "td": {"align"},
    "th": {"align"},
}
LINK_REL = "nofollow ugc noopener"
# The parser stops recursing at this depth of lists and quotes, and drops what
# follows; posts that deep are refused by the forms (too_deeply_nested).
MAX_NESTING = 20


def is_local_url(url: str) -> bool:
    """Images may only come from this site: a remote image tells its host who
    is reading, and when."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src" and not is_local_url(value):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags={"script", "style"},
    attributes=ALLOWED_ATTRIBUTES,
    attribute_filter=_keep_attribute,
    url_schemes={"http", "https", "mailto"},
    link_rel=LINK_REL,
    strip_comments=True,
)


def _render_image(renderer, tokens, idx, options, env):
    token = tokens[idx]
    src = token.attrGet("src") or ""
    if is_local_url(src):
        return renderer.image(tokens, idx, options, env)
    # A remote image becomes a plain link, so the reader decides whether to
    # contact that host and the author's reference is not lost.
    alt = renderer.renderInlineAsText(token.children or [], options, env) or src
    return f'<a href="{escapeHtml(src)}">{escapeHtml(alt)}</a>'


def _build_parser() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": True, "typographer": False, "maxNesting": MAX_NESTING},
    )
    md.enable(["linkify", "strikethrough", "table"])
    md.add_render_rule("image", _render_image)
    return md


_parser = _build_parser()


def render(source: str) -> str:
    """Render Markdown to HTML that is safe to show as is."""
    return _cleaner.clean(_parser.render(source))


def too_deeply_nested(source: str) -> bool:
    """True when lists or quotes nest so deep that the parser gives up and
    rendering would silently drop the rest of the post."""
    return any(token.level >= MAX_NESTING - 1 for token in _parser.parse(source))
