"""Markdown source -> sanitized HTML. The only module that uses markdown-it-py
and nh3; posts store both the source and this function's output.

markdown-it-py, not Python-Markdown: it is linear on hostile input (runs of
`[`, deep lists) where Python-Markdown takes seconds or overflows the stack.
nh3, not bleach: bleach is unmaintained. The renderer never emits raw HTML
(`html` is off), and nh3 checks its output against an allow-list anyway, so a
bug in either one alone cannot let script through.

Linear is not cheap: markdown-it-py is pure Python, and the costliest inputs
(runs of `![`, one-character paragraphs, table cells, `a*a*a*`) take 10-15 us
per character. What one post may cost is bounded by the longest body the
forms accept (FORUM_MAX_BODY_LENGTH), measured for every known slow input by
`manage.py benchmark_markup` (figures in the README).
"""

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.image import image
from markdown_it.rules_inline.link import link

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
# To find where a link's text ends, markdown-it scans ahead and tries every
# `[` inside as a link of its own, recursively, up to MAX_NESTING deep: each
# `[` of a run costs twenty scans. Two levels still read a linked image
# (`[![alt](/img.png)](url)`) and brackets inside link text (`[a [b] c](url)`);
# deeper, the brackets stay plain text, as markdown-it already does at its
# own limit.
MAX_LINK_NESTING = 2


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


def _shallow(rule):
    """`rule` (link or image), except that while scanning ahead for the end
    of a link's text it gives up past MAX_LINK_NESTING: it jumps to the end
    of the paragraph, exactly what markdown-it does at MAX_NESTING."""

    def shallow_rule(state: StateInline, silent: bool) -> bool:
        if silent and state.level > MAX_LINK_NESTING and state.src[state.pos] in "[!":
            state.pos = state.posMax
            return True
        return rule(state, silent)

    return shallow_rule


def _build_parser() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark",
        {"html": False, "linkify": True, "typographer": False, "maxNesting": MAX_NESTING},
    )
    md.enable(["linkify", "strikethrough", "table"])
    # With `html` off these rules only ever answer "no", at every line and
    # every `<`.
    md.disable(["html_block", "html_inline"])
    md.inline.ruler.at("link", _shallow(link))
    md.inline.ruler.at("image", _shallow(image))
    # Only addresses with a scheme (https://..., mailto:...) become links.
    # Guessing bare domains and emails (example.org, a@b.co) costs linkify-it
    # about 100 us for each one, twenty times the rest of the parse.
    md.linkify.set({"fuzzy_link": False, "fuzzy_email": False})
    md.add_render_rule("image", _render_image)
    return md


_parser = _build_parser()


# A form checks the body (too_deeply_nested) and then the view previews or
# saves it (render) in the same request: both read one parse.
@lru_cache(maxsize=8)
def _rendered(source: str) -> tuple[str, int]:
    env: dict = {}
    tokens = _parser.parse(source, env)
    depth = max((token.level for token in tokens), default=0)
    html = _cleaner.clean(_parser.renderer.render(tokens, _parser.options, env))
    return html, depth


def render(source: str) -> str:
    """Render Markdown to HTML that is safe to show as is."""
    return _rendered(source)[0]


def too_deeply_nested(source: str) -> bool:
    """True when lists or quotes nest so deep that the parser gives up and
    rendering would silently drop the rest of the post."""
    return _rendered(source)[1] >= MAX_NESTING - 1


def _absolute_attribute(site_url: str, keep_images: bool, anchor_for=None):
    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "img" and attribute == "src" and not keep_images:
            return None
        if anchor_for is not None and tag == "a" and attribute == "href":
            anchor = anchor_for(value)
            if anchor:
                return anchor
        if (tag, attribute) in {("a", "href"), ("img", "src")} and is_local_url(value):
            return site_url + value
        return value

    return keep


@lru_cache(maxsize=4)
def _absolute_cleaner(site_url: str, keep_images: bool, anchor_for=None) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_absolute_attribute(site_url.rstrip("/"), keep_images, anchor_for),
        url_schemes={"http", "https", "mailto"},
        link_rel=LINK_REL,
        strip_comments=True,
    )


def absolute(html: str, site_url: str, *, keep_images: bool = True, anchor_for=None) -> str:
    """Sanitized HTML for reading away from the site, in a feed reader or a
    downloaded file: links (and images) to this site get its address. A
    file read offline has no site to load images from: `keep_images=False`
    leaves them out, their alt text staying. `anchor_for(href)` may name a
    fragment of the same document to link to instead. Checked against the
    same allow-list again on the way."""
    return _absolute_cleaner(site_url, keep_images, anchor_for).clean(html)
