"""Accessibility checks for browser tests: axe-core (vendored in tests/vendor/axe-core) run
in the page, and a few keyboard checks that axe cannot make.

axe is injected with ``page.evaluate`` (the DevTools protocol runs it outside the page's
Content-Security-Policy), never with a <script> tag: the pages allow no inline script and the
``page`` fixture fails a test on any CSP violation.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import expect

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"

# WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}

# Every page axe checked in this test session, and every violation it reported (any impact),
# for the summary at the end of a run (tests/journeys/conftest.py).
checked: list[str] = []
seen: list[dict] = []


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


_RUN = """
async ({tags, include}) => {
  const context = include ? {include: [include]} : document;
  const results = await axe.run(context, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary || ""})),
  }));
}
"""


def axe_violations(page, include: str | None = None) -> list[dict]:
    """What axe finds wrong on the page as it is now (WCAG 2.0/2.1 A and AA), every impact.

    The whole page, once it has loaded: a test that waited for a heading after a form post
    may get here while the rest of a long page is still being parsed."""
    page.wait_for_load_state()
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations = page.evaluate(_RUN, {"tags": WCAG_TAGS, "include": include})
    checked.append(page.url)
    for violation in violations:
        seen.append({"url": page.url, **violation})
    return violations


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:10]:
            lines.append(f"    {node['target']}")
            if node["summary"]:
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


def assert_accessible(page, include: str | None = None) -> None:
    """Fail listing each serious or critical axe violation of the page (or of ``include``,
    a CSS selector); minor and moderate ones are left to the summary."""
    blocking = [v for v in axe_violations(page, include) if v["impact"] in BLOCKING]
    if blocking:
        pytest.fail(f"axe: serious or critical violations on {page.url}:\n{describe(blocking)}")


# --- The keyboard ------------------------------------------------------------------------------

_FOCUS_STYLE = """
() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = style.boxShadow && style.boxShadow !== "none";
  return {
    tag: el.tagName.toLowerCase(),
    id: el.id,
    name: el.getAttribute("name") || "",
    focusVisible: el.matches(":focus-visible"),
    indicator: outline || shadow,
    outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`,
    shadow: style.boxShadow,
  };
}
"""


def focused(page) -> dict | None:
    """The focused element and whether it shows a focus ring (outline or box-shadow)."""
    return page.evaluate(_FOCUS_STYLE)


def skip_to_content(page) -> None:
    """What a keyboard user does on arrival: the first Tab shows the skip link (with a
    focus ring), Enter on it moves the focus to the page's main content."""
    page.keyboard.press("Tab")
    state = focused(page)
    assert state and "skip-link" in page.evaluate("document.activeElement.className"), state
    assert state["indicator"], f"the skip link shows no focus indicator: {state}"
    page.keyboard.press("Enter")
    # Before the page has finished loading, the browser moves the focus to the target at its
    # next rendering step, not at once: poll for it rather than read it once.
    expect(page.locator("#content")).to_be_focused()


def tab_to(page, target, *, limit: int = 80, backwards: bool = False) -> dict:
    """Press Tab (or Shift+Tab) until ``target`` (a Playwright selector or locator) has the
    focus, and assert that it shows a visible focus indicator when it gets there: the
    keyboard alone must reach it, in at most ``limit`` presses."""
    locator = page.locator(target).first if isinstance(target, str) else target
    locator.wait_for(state="attached")
    handle = locator.element_handle()
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit + 1):
        if handle.evaluate("el => el === document.activeElement"):  # there already (autofocus)
            state = focused(page)
            assert state["focusVisible"], f"{target} has the focus but not :focus-visible"
            assert state["indicator"], f"{target} shows no focus indicator: {state}"
            return state
        page.keyboard.press(key)
    pytest.fail(f"{limit} presses of {key} never reached {target}")


# --- Typing dates ------------------------------------------------------------------------------
#
# Chromium's date and time fields take their segment order (dd/mm or mm/dd) and clock
# (24 h or AM/PM) from the browser's own locale, not the page's: a probe field, typed into
# once per browser, says which keys a person would press. The year takes up to six digits,
# so a person presses Tab to go on from the year to the hour.

_PROBE = "<input type='datetime-local' id='probe'>"


def _field_order(page) -> tuple[bool, bool]:
    """(day first, 12-hour clock) of this browser's date and time fields."""
    browser = page.context.browser
    known = getattr(browser, "_ob_field_order", None)
    if known is None:
        probe = page.context.new_page()
        try:
            probe.set_content(_PROBE)
            probe.locator("#probe").focus()
            probe.keyboard.type("01022000")
            probe.keyboard.press("Tab")
            probe.keyboard.type("0130P")
            value = probe.locator("#probe").input_value()
        finally:
            probe.close()
        # mm/dd gives 2000-01-02, dd/mm 2000-02-01; "P" makes 01:30 13:30 on a 12-hour clock.
        assert value.startswith("2000-"), f"the probe field read {value!r}"
        known = (value.startswith("2000-02-01"), value.endswith("13:30"))
        browser._ob_field_order = known
    return known


def type_date(page, iso: str) -> None:
    """Type the date ``iso`` (YYYY-MM-DD) into the focused date field, segment by segment."""
    year, month, day = iso.split("-")
    day_first, _ = _field_order(page)
    page.keyboard.type(f"{day}{month}{year}" if day_first else f"{month}{day}{year}")


def type_datetime(page, iso: str) -> None:
    """Type ``iso`` (YYYY-MM-DDTHH:MM) into the focused datetime-local field."""
    date, time = iso.split("T")
    hour, minute = (int(part) for part in time.split(":"))
    _, twelve_hour = _field_order(page)
    type_date(page, date)
    page.keyboard.press("Tab")
    if twelve_hour:
        page.keyboard.type(f"{(hour % 12) or 12:02d}{minute:02d}{'P' if hour >= 12 else 'A'}")
    else:
        page.keyboard.type(f"{hour:02d}{minute:02d}")
