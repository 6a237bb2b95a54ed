"""Dependencies between the apps run one way: forum (topics, posts,
moderation, the reply state) <- dialogues (leaders, summaries, resources,
email) <- accounts (profiles, privacy, which gathers a person's data from
both); search is built on forum and dialogues, and only accounts (erasing
a person's words from the index too) imports it. forum tells dialogues about changes through forum.signals; the
project's settings and root URLconf name every app by string, as Django
requires, and import none of them."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app and the apps it must never import.
FORBIDDEN = {
    "forum": {"dialogues", "accounts", "search"},
    "dialogues": {"accounts", "search"},
    "search": {"accounts"},
}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def offences(app: str) -> list[str]:
    forbidden = FORBIDDEN[app]
    return [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for module in sorted(imported_modules(path))
        if module.split(".")[0] in forbidden
    ]


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_imports_nothing_from_the_apps_built_on_it(app):
    assert offences(app) == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "example.py"
    module.write_text("def f():\n    from dialogues.models import Dialogue\n    import accounts\n")

    assert imported_modules(module) == {"dialogues.models", "accounts"}
