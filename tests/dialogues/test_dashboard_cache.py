"""The dashboard keeps the drawn reach charts and ties chart in the cache, under a hash of
the figures they show: a change to the figures shows at once, and people who may see the
dashboard share the drawing, never anything else."""

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.dialogues.test_dashboard import PRESENT, example  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def page(client, user, program) -> str:
    client.force_login(user)
    response = client.get(reverse("dialogues:dashboard", args=[program.pk]))
    assert response.status_code == 200
    return response.content.decode()


def bars(html: str, chart_id: str) -> dict[str, int]:
    """Label → count of one bar chart of the page."""
    chart = html.split(f'id="{chart_id}"')[1].split("</figure>")[0]
    rows = re.findall(
        r'<th scope="row">(.*?)</th>.*?<span class="ob-num">(\d+)</span>', chart, re.S
    )
    return {re.sub(r"<[^>]+>", "", label).strip(): int(n) for label, n in rows}


def ties_table(html: str) -> list[tuple[str, str, str]]:
    table = html.split('data-testid="ties"')[1].split("</table>")[0]
    return re.findall(
        r'<time datetime="([\d-]+)">.*?\+(\d+)</td><td class="text-end">(\d+)<', table
    )


def test_reach_charts_follow_a_change_of_community(client, cast, example):  # noqa: F811
    before = bars(page(client, cast.staff, example.program), "by-community")
    assert before == {"Alpha": 2, "Beta": 2, "Gamma": 2, "Third party": 1}
    person = example.people["b1"]
    person.community = example.people["c1"].community
    person.save()
    after = bars(page(client, cast.observer, example.program), "by-community")
    assert after == {"Gamma": 3, "Alpha": 2, "Beta": 1, "Third party": 1}


def test_reach_charts_follow_a_new_invitation(client, cast, example):  # noqa: F811
    page(client, cast.staff, example.program)
    newcomer = factories.ParticipantFactory(community=example.people["a1"].community)
    factories.InvitationFactory(
        workshop=example.workshops["w3"], participant=newcomer, status="invited"
    )
    assert bars(page(client, cast.staff, example.program), "by-community")["Alpha"] == 3


def test_ties_chart_follows_an_attendance_change(client, cast, example):  # noqa: F811
    assert ties_table(page(client, cast.staff, example.program)) == [
        ("2025-01", "2", "2"),
        ("2025-03", "4", "6"),
        ("2025-05", "1", "7"),
    ]
    session = example.workshops["w1"].sessions.order_by("pk").first()
    attendance = session.attendances.get(participant=example.people["x"])
    attendance.status = PRESENT
    attendance.save()
    assert ties_table(page(client, cast.observer, example.program)) == [
        ("2025-01", "5", "5"),
        ("2025-03", "4", "9"),
        ("2025-05", "1", "10"),
    ]


def test_a_facilitator_and_staff_see_the_same_figures_and_their_own_titles(client, cast, example):  # noqa: F811
    example.workshops["w2"].facilitators.add(cast.other_facilitator)
    staff = page(client, cast.staff, example.program)
    facilitator = page(client, cast.facilitator, example.program)
    assert bars(staff, "by-sector") == bars(facilitator, "by-sector")
    assert ties_table(staff) == ties_table(facilitator)
    title = example.workshops["w2"].title
    assert title in staff and title not in facilitator  # the timeline is cached per view
