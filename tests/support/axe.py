"""axe-core (Deque's WCAG rule engine, the npm package `axe-core`) run inside a Playwright page.

`make axe` (a step of `make test`) installs the pinned version into .axe/; a test that needs it and finds
it missing fails with the command to run, never skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tests.support.processes import ROOT

VERSION = "4.14.1"
SCRIPT = ROOT / ".axe" / VERSION / "node_modules" / "axe-core" / "axe.min.js"
MISSING = f"{SCRIPT.relative_to(ROOT)} is missing: run `make axe` (npm install axe-core@{VERSION})."
# WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe has no tag of its own for 2.2's A criteria).
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
BLOCKING = ("serious", "critical")

_RUN = """async (tags) => {
  const only = { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] };
  const result = await axe.run(document, only);
  return result.violations.map((v) => ({
    rule: v.id, impact: v.impact, help: v.help,
    targets: v.nodes.map((n) => n.target.flat(Infinity).join(" >>> ") + (n.failureSummary
      ? " (" + n.failureSummary.split("\\n").slice(1).join(" ").trim() + ")" : "")),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def line(self, where: str) -> str:
        shown = "; ".join(self.targets[:4]) + (
            f"; … {len(self.targets) - 4} more" if len(self.targets) > 4 else ""
        )
        return f"{where}: {self.rule} ({self.impact}, {self.help}): {shown}"


@cache
def source() -> str:
    if not SCRIPT.exists():
        raise FileNotFoundError(MISSING)
    return SCRIPT.read_text(encoding="utf-8")


def violations(page, tags: tuple[str, ...] = TAGS) -> list[Violation]:
    """Every violation axe finds on the page as it is now (axe injected once per document)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=source())  # the context bypasses a page's CSP (bypass_csp=True)
    found = page.evaluate(_RUN, list(tags))
    return [Violation(v["rule"], v["impact"] or "", v["help"], tuple(v["targets"])) for v in found]


def blocking(found: list[Violation]) -> list[Violation]:
    """The serious and critical ones: what the accessibility test refuses."""
    return [v for v in found if v.impact in BLOCKING]
