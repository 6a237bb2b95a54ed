"""Markdown rendering and sanitizing (forum/markup.py), asserted on what is
stored with a post."""

import time
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from forum import markup
from forum.forms import MarkdownBodyField
from forum.management.commands.benchmark_markup import FAMILIES
from forum.models import Post
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


# Inputs that make backtracking or recursive parsers take seconds or crash,
# at the longest length the forms accept (forum/management/commands/
# benchmark_markup.py times each; README gives the figures). Each ends with
# hostile markup, so the output must still be sanitized. The time bound is
# generous (the machine may be busy): it catches a quadratic blow-up, not a
# slow day.
TAIL = "\n\n<script>alert(1)</script> [x](javascript:alert(1)) ![t](https://evil.example/t.gif)"
FAMILY_VARIANTS = [
    pytest.param(build, id=f"{family}: {variant}")
    for family, variants in FAMILIES.items()
    for variant, build in variants.items()
]


@pytest.mark.parametrize("build", FAMILY_VARIANTS)
def test_every_slow_input_family_at_the_maximum_length_is_checked_and_rendered_safely(build):
    limit = settings.FORUM_MAX_BODY_LENGTH
    source = build(limit - len(TAIL)) + TAIL
    assert len(source) == limit

    started = time.perf_counter()
    try:
        MarkdownBodyField().clean(source)
    except ValidationError as error:
        # Only nesting the parser cannot show is refused, never the length.
        assert [e.code for e in error.error_list] == ["too_deep"]
    html = markup.render(source)
    elapsed = time.perf_counter() - started

    assert elapsed < 5, f"took {elapsed:.1f}s"
    assert unsafe_parts(html) == [], html[-500:]
    assert "<script>" not in html


def test_one_character_over_the_limit_is_refused_before_rendering(settings):
    field = MarkdownBodyField()
    with pytest.raises(ValidationError) as refused:
        field.clean("x" * (settings.FORUM_MAX_BODY_LENGTH + 1))

    assert refused.value.error_list[0].code == "max_length"
    assert field.clean("x" * settings.FORUM_MAX_BODY_LENGTH)


def test_the_limit_follows_the_setting(settings):
    settings.FORUM_MAX_BODY_LENGTH = 50
    field = MarkdownBodyField()

    assert "At most 50 characters." in str(field.help_text)
    with pytest.raises(ValidationError):
        field.clean("x" * 51)


def test_linked_images_and_brackets_inside_link_text_still_render():
    html = markup.render(
        "[![logo](/static/logo.png)](https://example.org) [a [b] c](https://e.org/x)"
    )

    assert (
        '<a href="https://example.org" rel="nofollow ugc noopener">'
        '<img src="/static/logo.png" alt="logo"></a>' in html
    )
    assert '<a href="https://e.org/x" rel="nofollow ugc noopener">a [b] c</a>' in html


def test_reference_links_still_render():
    html = markup.render("See [the guide][g].\n\n[g]: https://example.org/guide")
    assert '<a href="https://example.org/guide" rel="nofollow ugc noopener">the guide</a>' in html


def test_only_addresses_with_a_scheme_become_links():
    # Guessing bare domains and emails is what made thousands of them slow.
    html = markup.render(
        "https://example.org/a and mailto:a@example.org, not example.org or a@example.org"
    )

    assert html.count("<a ") == 2
    assert "not example.org or a@example.org" in html


def test_nesting_past_the_parser_limit_is_detected():
    assert markup.too_deeply_nested("> " * 40 + "deep")
    assert not markup.too_deeply_nested("> > quoted twice\n\n- a\n  - b")


# The reply form: over-long text is refused with a message and kept, and the
# browser is never told to cut it.


def reply_url(post):
    return f"/p/{post.pk}/reply/"


class Textareas(HTMLParser):
    def __init__(self):
        super().__init__()
        self.textareas = []

    def handle_starttag(self, tag, attrs):
        if tag == "textarea":
            self.textareas.append(dict(attrs))


def textareas(html):
    parser = Textareas()
    parser.feed(html)
    return parser.textareas


def test_the_reply_form_states_the_limit_and_has_no_maxlength_that_cuts_text(
    participant_client, topic
):
    html = participant_client.get(reply_url(topic.opening_post)).text

    (body,) = [t for t in textareas(html) if t["name"] == "body"]
    assert "maxlength" not in body
    assert f"At most {settings.FORUM_MAX_BODY_LENGTH:,} characters." in html
    assert body["aria-describedby"] == "id_body_helptext"


def test_the_topic_page_reply_form_has_no_maxlength_either(participant_client, topic):
    html = participant_client.get(topic.get_absolute_url()).text

    assert [t for t in textareas(html) if t["name"] == "body"]
    assert all("maxlength" not in t for t in textareas(html) if t["name"] == "body")


@pytest.mark.parametrize("button", ["post", "preview"])
def test_an_over_long_reply_is_refused_with_the_counts_and_every_character_kept(
    participant_client, topic, button
):
    limit = settings.FORUM_MAX_BODY_LENGTH
    body = "Line of my reply.\n" * (limit // 18) + "The very end, past the limit."
    assert len(body) > limit

    response = participant_client.post(
        reply_url(topic.opening_post), {"subject": "Long", "body": body, button: "1"}
    )

    assert response.status_code == 200
    assert (
        f"This message has {len(body):,} characters; a post can have at most {limit:,}."
        in response.text
    )
    assert f">\n{body}</textarea>" in response.text  # all of it, the end included
    assert 'class="preview"' not in response.text
    assert Post.objects.filter(subject="Long").count() == 0
