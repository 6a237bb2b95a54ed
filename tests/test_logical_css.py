"""The stylesheets use logical properties only, so right-to-left pages
mirror: no physical left or right in a margin, padding, border, float,
clear, position or text-align."""

import re
from pathlib import Path

CSS = Path(__file__).resolve().parent.parent / "static" / "css"
PHYSICAL = re.compile(
    r"(?:^|[;{\s])(?:margin|padding|border)-(?:left|right)\b"
    r"|(?:^|[;{\s])(?:left|right)\s*:"
    r"|(?:float|clear|text-align)\s*:\s*(?:left|right)\b"
)


def test_stylesheets_use_no_physical_directions():
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(CSS.glob("*.css"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if PHYSICAL.search(line)
    ]
    assert found == []


def test_the_check_catches_a_physical_property():
    assert PHYSICAL.search(".x { margin-left: 1rem; }")
    assert PHYSICAL.search(".x { float: right }")
    assert PHYSICAL.search(".x { left: 0 }")
    assert not PHYSICAL.search(".x { margin-inline-start: 1rem; text-align: start }")
