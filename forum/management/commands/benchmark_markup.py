"""Time what one post costs to check and render at the longest length the
forms accept, for every kind of input known to be slow for Markdown parsers:

    DEBUG=1 .venv/bin/python manage.py benchmark_markup [--length N] [--repeat 3]

Each family has a few variants built to exactly the length; each variant is
checked by the body field (what a preview or a post pays before saving)
and, when accepted, rendered with markup.render. The figure is CPU time of
this process, the best of --repeat runs, so other work on the machine does
not inflate it; a family's figure is its slowest variant. Variants that the
field refuses are timed too (refusing must be cheap) and marked "refused".
"""

import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from forum import markup
from forum.forms import MarkdownBodyField

BUDGET_MS = 250


def repeat_to(unit: str, length: int, prefix: str = "") -> str:
    body = unit * ((length - len(prefix)) // len(unit) + 1)
    return (prefix + body)[:length]


def nested_list(depth: int, length: int) -> str:
    lines, n = [], 0
    while n < length:
        line = "  " * (len(lines) % depth) + "- item\n"
        lines.append(line)
        n += len(line)
    return "".join(lines)[:length]


REALISTIC = (
    "## What we tried\n\n"
    "Thanks for the **thoughtful** opening, and for _naming_ the tension. In our "
    "network we ran three sessions last spring (notes at https://example.org/notes "
    'and [the shared folder](https://example.org/folder "folder")). Some points:\n\n'
    "1. Start with a round where everyone says one sentence.\n"
    "2. Keep `breakout rooms` small: four people, *at most* five.\n"
    "   - one note-taker per room\n"
    "   - rotate who reports back\n\n"
    "> What helped most was giving people time to write before speaking.\n\n"
    "| week | people | replies |\n|---|---|---|\n| 1 | 12 | 40 |\n| 2 | 9 | 31 |\n\n"
    "```\nagenda: check-in, two questions, close\n```\n\n"
    "Contact me at someone@example.org or see www.example.net. ~~Old link~~ moved.\n\n"
)

# name -> {variant: function of the length}
FAMILIES = {
    "runs of [": {
        "[": lambda n: repeat_to("[", n),
        "[ then ]": lambda n: repeat_to("[", n - 1) + "]",
        "[[]": lambda n: repeat_to("[[]", n),
    },
    "runs of ![": {
        "![": lambda n: repeat_to("![", n),
        "![[": lambda n: repeat_to("![[", n),
        "[![": lambda n: repeat_to("[![", n),
    },
    "runs of <![": {
        "<![": lambda n: repeat_to("<![", n),
        "<![CDATA[": lambda n: repeat_to("<![CDATA[", n),
    },
    "runs of [a": {
        "[a": lambda n: repeat_to("[a", n),
        "[a][": lambda n: repeat_to("[a][", n),
        "[a](": lambda n: repeat_to("[a](", n),
        "[](": lambda n: repeat_to("[](", n),
        "](": lambda n: repeat_to("](", n),
    },
    "runs of *": {
        "*": lambda n: repeat_to("*", n),
        "*a **b": lambda n: repeat_to("*a **b ", n),
        "* a": lambda n: repeat_to("* a", n),
        "a*": lambda n: repeat_to("a*", n),
    },
    "runs of _": {
        "_": lambda n: repeat_to("_", n),
        "_a __b": lambda n: repeat_to("_a __b ", n),
        "a_": lambda n: repeat_to("a_", n),
    },
    "runs of ~": {
        "~~a": lambda n: repeat_to("~~a ", n),
        "~": lambda n: repeat_to("~", n),
    },
    "backticks": {
        "`": lambda n: repeat_to("`", n),
        "` ": lambda n: repeat_to("` ", n),
        "`a``b```": lambda n: repeat_to("`a``b```c", n),
    },
    "deep lists": {
        "8 levels (the most accepted)": lambda n: nested_list(8, n),
        "20 levels (refused)": lambda n: nested_list(20, n),
        "- - - on one line": lambda n: repeat_to("- ", n),
        "1. 1. on one line": lambda n: repeat_to("1. ", n),
    },
    "deep quotes": {
        "17 levels (the most accepted)": lambda n: repeat_to(">" * 17 + " a\n", n),
        "> > > on one line": lambda n: repeat_to("> ", n),
        ">>> then text": lambda n: repeat_to(">", n - 5) + " deep",
    },
    "thousands of links": {
        "[x](url)": lambda n: repeat_to("[x](http://e.x/) ", n),
        "![x](/local)": lambda n: repeat_to("![x](/a.png) ", n),
        "![x](remote)": lambda n: repeat_to("![x](http://e.x/a.png) ", n),
        "bare urls": lambda n: repeat_to("http://e.x/a ", n),
        "<autolinks>": lambda n: repeat_to("<http://e.x/> ", n),
        "emails": lambda n: repeat_to("a@b.co ", n),
        "www.": lambda n: repeat_to("www.e.xx ", n),
        "reference links": lambda n: (
            repeat_to("[a]\n", n // 2) + repeat_to("[a]: /u\n", n - n // 2)
        ),
    },
    "html-like": {
        "<": lambda n: repeat_to("<", n),
        "<a ": lambda n: repeat_to("<a ", n),
        "&amp;": lambda n: repeat_to("&amp; ", n),
        "backslashes": lambda n: repeat_to("\\", n),
    },
    "many blocks": {
        "lines": lambda n: repeat_to("a\n", n),
        "headings": lambda n: repeat_to("# a\n", n),
        "table rows": lambda n: repeat_to("|x|y|\n", n, prefix="|a|b|\n|-|-|\n"),
        "paragraphs": lambda n: repeat_to("a\n\n", n),
    },
    "mixed realistic text": {
        "a long reply": lambda n: repeat_to(REALISTIC, n),
    },
}


def cpu_ms(function, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        markup._rendered.cache_clear()  # time the parse, not the cache
        started = time.process_time()
        function()
        best = min(best, time.process_time() - started)
    return best * 1000


class Command(BaseCommand):
    help = "Time checking and rendering a post of the maximum length for each slow input."

    def add_arguments(self, parser):
        parser.add_argument("--length", type=int, default=settings.FORUM_MAX_BODY_LENGTH)
        parser.add_argument("--repeat", type=int, default=3)
        parser.add_argument("--variants", action="store_true", help="print every variant")

    def handle(self, *args, length, repeat, variants, **options):
        field = MarkdownBodyField(max_length=length)
        self.stdout.write(f"{length} characters, CPU ms, best of {repeat}; budget {BUDGET_MS} ms")
        worst_overall = 0.0
        for family, builders in FAMILIES.items():
            worst, worst_name = 0.0, ""
            for name, build in builders.items():
                source = build(length)
                assert len(source) == length, (name, len(source))
                try:
                    field.clean(source)
                except ValidationError as error:
                    outcome = f"refused: {error.messages[0]}"
                    ms = cpu_ms(lambda s=source: self.refuse(field, s), repeat)
                else:
                    outcome = "rendered"
                    ms = cpu_ms(lambda s=source: markup.render(field.clean(s)), repeat)
                if variants:
                    self.stdout.write(f"    {name:30} {ms:7.0f}  {outcome[:90]}")
                if ms >= worst:
                    worst, worst_name = ms, name
            worst_overall = max(worst_overall, worst)
            flag = "" if worst < BUDGET_MS else "  OVER BUDGET"
            self.stdout.write(f"{family:22} {worst:7.0f}  (worst: {worst_name}){flag}")
        self.stdout.write(f"worst of all: {worst_overall:.0f} ms")

    @staticmethod
    def refuse(field, source):
        try:
            field.clean(source)
        except ValidationError:
            pass
