"""The admins' audit log page: filters, pagination, CSV export (itself audited), 404 for others."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from core import audit
from core.models import AuditEvent
from participants.models import Participant
from tests import factories

pytestmark = pytest.mark.django_db

PAGE = reverse("audit_log")
EXPORT = reverse("audit_log_export")


def shown(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


@pytest.fixture
def events(cast):
    """A few events by two people on two kinds of object, over three days."""
    participant = factories.ParticipantFactory(full_name="Eleni Georgiou")
    now = timezone.now()
    made = {}
    with time_machine.travel(now - timedelta(days=2), tick=False):
        made["erase"] = audit.record(cast.admin, "participant.erase", participant)
    with time_machine.travel(now - timedelta(days=1), tick=False):
        made["update"] = audit.record(
            cast.staff, "participant.update", participant, fields=["phone"]
        )
        made["workshop"] = audit.record(
            cast.staff, "workshop.update", cast.workshop, fields=["title"]
        )
    made["export"] = audit.record(
        cast.facilitator, "workshop.roster_export", cast.workshop, format="pdf-signin", count=3
    )
    made["participant"] = participant
    return made


@pytest.mark.parametrize(
    "role", ["staff", "other_staff", "facilitator", "other_facilitator", "observer", "outsider"]
)
def test_only_admins_see_the_page_others_get_404(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(PAGE).status_code == 404
    assert client.get(EXPORT).status_code == 404
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for url in (PAGE, EXPORT):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_admin_sees_every_event_newest_first_and_never_cached(client, cast, events):
    client.force_login(cast.admin)
    response = client.get(PAGE)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    listed = shown(response)
    assert listed[0].action == "auth.login"  # the admin's own sign-in, just now
    assert [e.action for e in listed if e.action != "auth.login"] == [
        "workshop.roster_export",
        "workshop.update",
        "participant.update",
        "participant.erase",
    ]
    page = response.content.decode()
    assert "Eleni" not in page and "Georgiou" not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "participant.erase"}, {"erase"}),
        ({"action": "participant."}, {"erase", "update"}),
        ({"action": "participant"}, set()),
        ({"object_id": "OBJECT"}, {"erase", "update"}),
    ],
)
def test_filter_by_action_and_object(client, cast, events, query, expected):
    client.force_login(cast.admin)
    query = {
        key: str(events["participant"].pk) if value == "OBJECT" else value
        for key, value in query.items()
    }
    listed = shown(client.get(PAGE, query))
    assert {e.pk for e in listed} == {events[key].pk for key in expected}


def test_filter_by_user_object_type_and_dates(client, cast, events):
    client.force_login(cast.admin)
    by_staff = shown(client.get(PAGE, {"actor": cast.staff.pk}))
    assert {e.pk for e in by_staff} == {events["update"].pk, events["workshop"].pk}

    participant_type = ContentType.objects.get_for_model(Participant)
    on_people = shown(client.get(PAGE, {"content_type": participant_type.pk}))
    assert {e.pk for e in on_people} == {events["erase"].pk, events["update"].pk}

    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    on_the_day = shown(client.get(PAGE, {"created_after": yesterday, "created_before": yesterday}))
    assert {e.pk for e in on_the_day} == {events["update"].pk, events["workshop"].pk}
    since = shown(
        client.get(PAGE, {"created_after": yesterday, "action": "workshop.roster_export"})
    )
    assert [e.pk for e in since] == [events["export"].pk]


def test_pages_of_fifty_with_the_filters_kept(client, cast, django_assert_max_num_queries):
    for _ in range(60):
        audit.record(cast.staff, "workshop.update", cast.workshop, fields=["capacity"])
    client.force_login(cast.admin)
    first = client.get(PAGE, {"action": "workshop.update"})
    assert len(shown(first)) == 50
    assert "action=workshop.update&amp;page=2" in first.content.decode()
    second = client.get(PAGE, {"action": "workshop.update", "page": 2})
    assert len(shown(second)) == 10
    with django_assert_max_num_queries(12):
        client.get(PAGE)


def rows_of(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_export_holds_the_filtered_events_and_is_audited(client, cast, events):
    client.force_login(cast.admin)
    response = client.get(EXPORT, {"action": "participant."})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    rows = rows_of(response)
    assert [row["action"] for row in rows] == ["participant.erase", "participant.update"]
    assert rows[1]["actor"] == cast.staff.username
    assert rows[1]["object_id"] == str(events["participant"].pk)
    assert rows[1]["object"] == f"participant #{events['participant'].pk}"
    assert '"fields": ["phone"]' in rows[1]["details"]
    assert "Eleni" not in str(rows)

    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor == cast.admin
    assert exported.data == {
        "format": "csv",
        "count": 2,
        "filters": {"action": "participant."},
        "columns": [
            "id",
            "when_utc",
            "actor_id",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object",
            "details",
        ],
    }


def test_the_export_event_keeps_no_typed_text(client, cast, events):
    """An admin pasting a name into a filter box must not put it into the log."""
    client.force_login(cast.admin)
    rows_of(client.get(EXPORT, {"action": "Eleni Georgiou", "object_id": "eleni@example.org"}))
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.data["filters"] == {"action": "(text)", "object_id": "(text)"}
    assert exported.data["count"] == 0


def test_an_unreadable_filter_exports_nothing(client, cast, events):
    client.force_login(cast.admin)
    response = client.get(EXPORT, {"created_after": "not a date"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_csv_cells_never_run_as_formulas(client, cast):
    evil = factories.UserFactory(username="=cmd|calc")
    audit.record(evil, "workshop.update", cast.workshop, fields=["title"])
    client.force_login(cast.admin)
    rows = rows_of(client.get(EXPORT, {"action": "workshop.update"}))
    assert rows[0]["actor"] == "'=cmd|calc"
