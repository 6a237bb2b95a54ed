"""Links in sanitized post HTML. Read from body_html (what readers see),
with the standard HTML parser: Markdown has too many ways to write a link
(inline, reference, autolink, bare URL) to find them in the source."""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.conf import settings

MAX_TEXT = 300
_POST_PATH = re.compile(r"^/p/(\d+)/?$")
_POST_ANCHOR = re.compile(r"^#post-(\d+)$")


class _LinkParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href") or None
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            text = " ".join("".join(self._text).split())
            self.links.append((self._href, text[:MAX_TEXT]))
            self._href = None


def hrefs(html: str) -> list[str]:
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    return [href for href, _text in parser.links]


def extract(html: str) -> list[tuple[str, str]]:
    """(url, link text) for each distinct web address, in order of appearance."""
    parser = _LinkParser()
    parser.feed(html)
    parser.close()
    found: dict[str, str] = {}
    for href, text in parser.links:
        if urlsplit(href).scheme in {"http", "https"} and href not in found:
            found[href] = text if text and text != href else ""
    return list(found.items())


def post_id_in_url(url: str) -> int | None:
    """The post a link points to on this site (/p/<id>/ or #post-<id>), if any."""
    site = settings.SITE_URL.rstrip("/")
    if site and url.startswith(site + "/"):
        url = url[len(site) :]
    match = _POST_PATH.match(url) or _POST_ANCHOR.match(url)
    return int(match.group(1)) if match else None
