"""Journeys: no animations (axe must not judge a colour halfway through a transition), and
a screenshot of the page where one failed, for a human to look at."""

from collections import Counter

import pytest

from tests import accessibility
from tests.conftest import SCREENSHOTS, csp_violations


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item._ob_failed = report.failed
    return report


@pytest.fixture(autouse=True)
def _journey_page(request, page):
    page.emulate_media(reduced_motion="reduce")  # Bootstrap then drops its transitions
    yield
    if getattr(request.node, "_ob_failed", False):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        before = list(csp_violations(page))
        try:
            page.screenshot(
                path=str(SCREENSHOTS / f"failed-{request.node.name}.png"), full_page=True
            )
        except Exception:  # noqa: BLE001 - the page may be gone; the failure says enough
            pass
        # Playwright's screenshot adds a style of its own, which the policy refuses.
        csp_violations(page)[:] = before


def pytest_terminal_summary(terminalreporter):
    """How many pages axe checked, and what it found below the serious level (the tests
    fail on serious and critical ones)."""
    if not accessibility.checked:
        return
    found = Counter((v["id"], v["impact"]) for v in accessibility.seen)
    terminalreporter.write_line(
        f"axe: {len(accessibility.checked)} page checks, "
        + (
            ", ".join(f"{rule} ({impact}) x{n}" for (rule, impact), n in found.items())
            or "no violations"
        )
    )
