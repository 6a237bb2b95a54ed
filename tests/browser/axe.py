"""axe-core, vendored (tests/browser/vendor/axe-core/), run in the page.

Injected with page.evaluate, which the DevTools protocol runs outside the
page's Content-Security-Policy: nothing is fetched, the site's policy stays
as strict as in production."""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()

RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary),
  }));
}"""


def axe_violations(page) -> list[dict]:
    """Every violation of any impact on the page as it is now."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(RUN)
