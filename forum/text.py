"""Characters that make text display differently from what it is. Shared
by the forum's subjects and titles and the accounts' display names (accounts
imports this module; forum imports nothing above it)."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Embeddings, overrides and isolates reorder every character up to their
# end: "Trojan Source" text, a title that reads backwards.
BIDI_FORMATTING = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Marks (LRM, RLM, ALM) only nudge the neutral characters next to them.
BIDI_MARKS = frozenset("\u061c\u200e\u200f")
BIDI_CONTROLS = BIDI_FORMATTING | BIDI_MARKS
# Letters and symbols that render as blank space (Hangul fillers, braille blank).
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
# Format, control, private-use, unassigned and line/paragraph separators.
INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cn", "Zl", "Zp"})


def is_invisible(char: str) -> bool:
    return char in BLANK_LOOKING or unicodedata.category(char) in INVISIBLE_CATEGORIES


def validate_no_bidi_formatting(value: str) -> None:
    """Subjects and titles: refuse the characters that reorder text.

    Marks stay allowed: people writing Arabic, Persian or Hebrew use them to
    place punctuation, and they cannot reverse a run of text. Pages show
    every subject isolated (<bdi>, dir="auto") whatever it contains."""
    if any(char in BIDI_FORMATTING for char in value):
        raise ValidationError(
            _(
                "Remove the text-direction control characters (such as U+202E or U+2066): "
                "they make text display differently from what it says."
            ),
            code="bidi_control",
        )
