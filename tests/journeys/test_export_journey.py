"""Journey d: an admin signs in with a second factor, reads the program dashboard, and
exports a workshop's roster as CSV and as XLSX; the downloaded files parse and hold the
expected people (a high-risk participant under a pseudonym).

Every page passes axe, and the dashboard's charts carry their meaning in text, shapes and
patterns as well as colour.
"""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone

from participants.models import RiskLevel
from tests import factories
from tests.accessibility import assert_accessible
from tests.conftest import totp_code, verified_device
from tests.factories import DEMO_PASSWORD
from workshops.models import ActionStatus, InvitationStatus, WorkshopStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in_with_a_code(page, live_server, user) -> None:
    """Password, then the code from the admin's phone; both pages checked by axe."""
    device = verified_device(user)
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/two-factor/verify/**")
    assert_accessible(page)
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)


def download(page, button) -> bytes:
    with page.expect_download() as info:
        button.click()
    path = info.value.path()
    with open(path, "rb") as file:
        return file.read()


def test_an_admin_reads_the_dashboard_and_exports_the_roster(page, live_server, cast):
    program, workshop = cast.program, cast.workshop
    greek = factories.CommunityFactory(name="Greek Cypriot", slug="gc", colour="#1f77b4")
    turkish = factories.CommunityFactory(name="Turkish Cypriot", slug="tc", colour="#d62728")
    program.communities.add(greek, turkish)
    now = timezone.now()
    workshop.title = "Nicosia living-room dialogue"
    workshop.status = WorkshopStatus.HELD
    workshop.starts_at, workshop.ends_at = now - timedelta(days=3), now - timedelta(days=2)
    workshop.save()
    session = factories.SessionFactory(workshop=workshop, starts_at=workshop.starts_at)
    people = {
        "Andreas Georgiou": (greek, InvitationStatus.ACCEPTED, RiskLevel.NORMAL),
        "Ayşe Demir": (turkish, InvitationStatus.ACCEPTED, RiskLevel.NORMAL),
        "Eleni Charalambous": (greek, InvitationStatus.DECLINED, RiskLevel.NORMAL),
        "Khaled Haddad": (turkish, InvitationStatus.ACCEPTED, RiskLevel.HIGH),
    }
    for name, (community, status, risk) in people.items():
        person = factories.ParticipantFactory(full_name=name, community=community, risk_level=risk)
        factories.InvitationFactory(workshop=workshop, participant=person, status=status)
        if status == InvitationStatus.ACCEPTED:
            factories.AttendanceFactory(session=session, participant=person)
    for status, due in [
        (ActionStatus.DONE, 5),
        (ActionStatus.OPEN, 10),
        (ActionStatus.OPEN, -3),  # overdue
        (ActionStatus.DROPPED, 1),
    ]:
        factories.FollowUpActionFactory(
            workshop=workshop, status=status, due_on=timezone.localdate() + timedelta(days=due)
        )

    sign_in_with_a_code(page, live_server, cast.admin)
    page.get_by_role("heading", name="Your programs").wait_for()
    assert_accessible(page)

    page.goto(f"{live_server.url}/programs/{program.pk}/dashboard/")
    page.get_by_role("heading", name=f"{program.name}: dashboard").wait_for()
    assert_accessible(page)
    charts_say_it_without_colour(page)

    page.goto(f"{live_server.url}{workshop.get_absolute_url()}")
    page.get_by_role("link", name="Export roster (CSV, Excel)").click()
    page.get_by_role("heading", name="Export the roster of Nicosia living-room dialogue").wait_for()
    assert_accessible(page)
    form = page.locator("#export-form")
    assert form.get_by_label("CSV", exact=True).is_checked()
    export = form.get_by_role("button", name="Export")

    text = download(page, export).decode("utf-8-sig")
    header, *body = csv.reader(io.StringIO(text))
    assert header[:5] == ["Name", "Organisation", "Community", "Sector", "Invitation status"]
    people = {row[0]: dict(zip(header, row, strict=True)) for row in body}
    [pseudonym] = [name for name in people if name.startswith("P-")]  # Khaled, high risk
    assert set(people) == {"Andreas Georgiou", "Ayşe Demir", "Eleni Charalambous", pseudonym}
    assert people["Ayşe Demir"]["Community"] == "Turkish Cypriot"
    assert people["Eleni Charalambous"]["Invitation status"] == "Declined"
    assert people["Andreas Georgiou"]["Invitation status"] == "Accepted"
    assert "Khaled" not in text

    form.get_by_label("Excel (XLSX)").check()
    book = openpyxl.load_workbook(io.BytesIO(download(page, export)), read_only=True)
    first, *rest = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert first == header
    in_excel = {row[0]: row for row in rest if row[0]}
    assert set(in_excel) == set(people)
    assert in_excel["Eleni Charalambous"][4] == "Declined"
    assert_accessible(page)  # still the form, nothing went wrong


def charts_say_it_without_colour(page) -> None:
    """Colour is never the only carrier: each bar has its label and number beside it, the
    stacked bar of actions has a pattern per state and a table with the figures, the
    timeline marks statuses by shape with a written legend, and the SVG charts are images
    with a text alternative and a table of the same figures."""
    bars = page.locator("table.ob-bars tbody tr")
    assert bars.count() >= 3
    for i in range(bars.count()):
        row = bars.nth(i)
        label = row.locator("th").inner_text().strip()
        numbers = row.locator(".ob-num").all_inner_texts()
        assert label and numbers and numbers[0].strip().isdigit(), (label, numbers)
        assert row.locator(".ob-bar-track").get_attribute("aria-hidden") == "true"

    segments = page.locator("#actions .ob-stack > span")
    assert segments.count() >= 3
    looks = set()
    for i in range(segments.count()):
        look = segments.nth(i).evaluate(
            "el => { const s = getComputedStyle(el); return s.backgroundImage + s.backgroundColor }"
        )
        looks.add(look)
    assert len(looks) == segments.count(), "two states drawn alike"
    patterned = [look for look in looks if "gradient" in look]
    assert len(patterned) >= segments.count() - 1, "only one state may be a plain fill"
    states = page.get_by_test_id("actions").locator("tbody th").all_inner_texts()
    assert {"Done", "Open, on time", "Overdue", "Dropped"} <= {s.strip() for s in states}, states

    legend = page.locator("#timeline .ob-legend li").all_inner_texts()
    assert {"Held", "Confirmed", "Planned", "Draft", "Cancelled"} <= {t.strip() for t in legend}
    shapes = page.locator("#timeline svg.ob-defs symbol").evaluate_all(
        'symbols => symbols.map(s => s.firstElementChild.outerHTML.replace(/class="[^"]*"/, \'\'))'
    )
    held, confirmed, planned, draft, cancelled = shapes
    # Filled circle, filled diamond, hollow diamond, dashed circle, cross: planned and
    # confirmed share a shape and differ by fill (white inside), not by hue.
    assert len({held, confirmed, draft, cancelled}) == 4
    for svg in page.locator("#timeline svg.ob-svg, #ties svg.ob-svg").all():
        assert svg.get_attribute("role") == "img" and svg.get_attribute("aria-label")
    assert page.get_by_test_id("timeline").locator("tbody tr").count() >= 1
