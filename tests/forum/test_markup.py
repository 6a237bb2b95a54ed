"""Markdown rendering and sanitizing (forum/markup.py), asserted on what is
stored with a post."""

import time
from html.parser import HTMLParser

import pytest

from forum import markup
from tests.factories import make_reply

HOSTILE = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](vbscript:msgbox(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pic](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)",
    "![tracker](https://evil.example/pixel.gif)",
    "![tracker](//evil.example/pixel.gif)",
    '<a href="javascript:alert(1)">x</a>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<iframe src="https://evil.example"></iframe>',
    "<svg onload=alert(1)>",
    '<form action="https://evil.example"><input name=p></form>',
    "<style>body{display:none}</style>",
    '<a href="#" onclick="steal()">x</a>',
    "<!-- <script>alert(1)</script> -->",
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "[a](<javascript:alert(1)>)",
    '<object data="x.swf"></object><embed src="x.swf">',
    "<meta http-equiv=refresh content='0;url=https://evil.example'>",
    '[x](https://ok.example "title" onmouseover="alert(1)")',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
]

SAFE_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "img", "li", "ol", "p", "pre", "s", "strong", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}  # fmt: skip


class ElementCollector(HTMLParser):
    """The elements and attributes a browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.elements = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def unsafe_parts(html):
    collector = ElementCollector()
    collector.feed(html)
    problems = []
    for tag, attrs in collector.elements:
        if tag not in SAFE_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name == "style":
                problems.append(f"{tag}[{name}]")
            if name in ("href", "src"):
                scheme = value.split(":", 1)[0].lower() if ":" in value else ""
                if scheme and scheme not in ("http", "https", "mailto"):
                    problems.append(f"{tag}[{name}={value}]")
                if tag == "img" and not markup.is_local_url(value):
                    problems.append(f"remote image {value}")
    return problems


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_input_is_neutralised_in_the_stored_html(topic, source):
    post = make_reply(topic, body=source)
    post.refresh_from_db()

    assert post.body == source  # the source is kept as typed
    assert unsafe_parts(post.body_html) == [], post.body_html


def test_the_checker_catches_what_it_should():
    assert unsafe_parts('<p onclick="x">a</p><script></script><a href="javascript:x">') == [
        "p[onclick]",
        "<script>",
        "a[href=javascript:x]",
    ]


def test_raw_html_is_shown_as_text_not_dropped():
    assert markup.render("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n"


def test_bare_urls_become_links_with_nofollow_ugc_noopener():
    html = markup.render("See https://example.org/guide for more.")
    assert '<a href="https://example.org/guide" rel="nofollow ugc noopener">' in html


def test_every_link_gets_rel_nofollow_ugc_noopener():
    html = markup.render("[guide](https://example.org) and <https://example.net>")
    assert html.count('rel="nofollow ugc noopener"') == 2


def test_remote_images_become_plain_links_and_local_images_stay():
    html = markup.render("![chart](https://cdn.example/chart.png) ![logo](/static/logo.png)")
    assert '<a href="https://cdn.example/chart.png" rel="nofollow ugc noopener">chart</a>' in html
    assert '<img src="/static/logo.png" alt="logo">' in html


def test_lists_quotes_code_and_tables_render():
    html = markup.render("1. one\n2. two\n\n> quoted\n\n`x < y`\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<ol>" in html and "<blockquote>" in html
    assert "<code>x &lt; y</code>" in html and "<td>1</td>" in html


# Inputs that make backtracking or recursive parsers take seconds or crash.
# The bound is generous (the machine may be busy); the renderer needs well
# under a second for each.
PATHOLOGICAL = {
    "runs of [": "[" * 10_000,
    "runs of [a": "[a" * 5_000,
    "runs of ![": "![" * 5_000,
    "runs of <![": "<![" * 3_400,
    "deep list": "".join("  " * i + "- item\n" for i in range(2_000)),
    "deep quote": ">" * 5_000 + " deep",
    "64 KB of emphasis": "*a **b " * 9_000,
    "64 KB of links": "[x](http://e.x/) " * 4_000,
    "64 KB of backticks": "`" * 65_536,
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_input_renders_quickly(name):
    started = time.perf_counter()
    html = markup.render(PATHOLOGICAL[name])
    elapsed = time.perf_counter() - started
    assert elapsed < 5, f"{name} took {elapsed:.1f}s"
    assert isinstance(html, str)


def test_nesting_past_the_parser_limit_is_detected():
    assert markup.too_deeply_nested("> " * 40 + "deep")
    assert not markup.too_deeply_nested("> > quoted twice\n\n- a\n  - b")
