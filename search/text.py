"""Plain text from the sanitized HTML of posts and summaries: what the index
matches and what snippets are cut from. Pure, so the migration uses it too."""

import re
from html.parser import HTMLParser

# Control characters would be read as the snippet markers (search.backends).
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
BLOCKS = frozenset("p br li ul ol blockquote pre h1 h2 h3 h4 h5 h6 tr td th table hr div".split())


class _TextOf(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data):
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The words of already sanitized HTML (forum.markup's output), as text."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return " ".join(CONTROL.sub(" ", "".join(parser.parts)).split())
