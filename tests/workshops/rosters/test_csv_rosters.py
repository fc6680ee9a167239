"""Workshop and program rosters as CSV: who may export which, each scope, counts,
pseudonyms, the audit entry; compared with the database."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from participants import safety
from participants.models import ExportPreset, RiskLevel
from tests import factories
from tests.participants.exports.helpers import by_first_column, csv_rows
from workshops.models import AttendanceStatus, InvitationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(cast):
    workshop = cast.workshop
    session_1 = factories.SessionFactory(workshop=workshop)
    session_2 = factories.SessionFactory(workshop=workshop)
    people = {
        "accepted": factories.ParticipantFactory(full_name="Andreas Ioannou"),
        "declined": factories.ParticipantFactory(full_name="Noa Levi"),
        "risky": factories.ParticipantFactory(
            full_name="Khaled Haddad", risk_level=RiskLevel.HIGH, organisation="Birzeit"
        ),
        "walk_in": factories.ParticipantFactory(full_name="Walk In"),
        "elsewhere": factories.ParticipantFactory(full_name="Other Workshop"),
    }
    factories.InvitationFactory(
        workshop=workshop, participant=people["accepted"], status=InvitationStatus.ACCEPTED,
        dietary="=1+2", accessibility="Step-free access",
    )  # fmt: skip
    factories.InvitationFactory(
        workshop=workshop, participant=people["declined"], status=InvitationStatus.DECLINED
    )
    factories.InvitationFactory(
        workshop=workshop, participant=people["risky"], status=InvitationStatus.ACCEPTED
    )
    factories.InvitationFactory(workshop=cast.other_workshop, participant=people["elsewhere"])
    factories.InvitationFactory(
        workshop=cast.other_workshop,
        participant=people["accepted"],
        status=InvitationStatus.ACCEPTED,
    )
    for session in (session_1, session_2):
        factories.AttendanceFactory(session=session, participant=people["accepted"])
    factories.AttendanceFactory(session=session_1, participant=people["risky"])
    factories.AttendanceFactory(
        session=session_2, participant=people["risky"], status=AttendanceStatus.ABSENT
    )
    factories.AttendanceFactory(session=session_1, participant=people["walk_in"], is_walk_in=True)
    return people


def url(cast) -> str:
    return reverse("workshops:roster_export", args=[cast.workshop.pk])


def program_url(cast) -> str:
    return reverse("workshops:program_roster_export", args=[cast.program.pk])


COLUMNS = [
    "name",
    "organisation",
    "status",
    "dietary",
    "accessibility",
    "attended",
    "sessions_attended",
]  # noqa: E501


def export(client, target, **data):
    payload = {"columns": COLUMNS, "format": "csv", "scope": "invited", "action": "export"}
    payload.update(data)
    return client.post(target, payload)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("facilitator", 200),
        ("other_facilitator", 404),  # same program, another workshop: not theirs to see
        ("observer", 403),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_who_may_export_a_workshop_roster(client, cast, roster, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(url(cast)).status_code == status
    response = export(client, url(cast))
    assert response.status_code == status
    assert AuditEvent.objects.filter(action="workshop.roster_export").exists() == (status == 200)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("staff", 200),
        ("facilitator", 403),
        ("observer", 403),
        ("other_staff", 404),
        ("outsider", 404),
    ],
)
def test_who_may_export_a_program_roster(client, cast, roster, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(program_url(cast)).status_code == status
    response = client.post(
        program_url(cast), {"columns": ["name"], "format": "csv", "action": "export"}
    )
    assert response.status_code == status


def test_everyone_invited_with_status_needs_and_attendance(client, cast, roster):
    client.force_login(cast.staff)
    response = export(client, url(cast))
    assert response["Cache-Control"].startswith("no-store")
    rows = csv_rows(response)
    assert rows[0] == [
        "Name", "Organisation", "Invitation status", "Dietary needs", "Accessibility needs",
        "Attended", "Sessions attended",
    ]  # fmt: skip
    people = by_first_column(rows)
    risky = roster["risky"]
    assert people == {
        "Andreas Ioannou": [
            "Andreas Ioannou", roster["accepted"].organisation, "Accepted", "'=1+2",
            "Step-free access", "yes", "2",
        ],
        "Noa Levi": ["Noa Levi", roster["declined"].organisation, "Declined", "", "", "no", "0"],
        safety.pseudonym(risky): [safety.pseudonym(risky), "", "Accepted", "", "", "yes", "1"],
    }  # fmt: skip


def test_accepted_scope(client, cast, roster):
    client.force_login(cast.facilitator)
    rows = csv_rows(export(client, url(cast), scope="accepted"))
    assert sorted(row[0] for row in rows[1:]) == sorted(
        ["Andreas Ioannou", safety.pseudonym(roster["risky"])]
    )


def test_attended_scope_includes_walk_ins(client, cast, roster):
    client.force_login(cast.facilitator)
    rows = csv_rows(export(client, url(cast), scope="attended"))
    people = by_first_column(rows)
    assert set(people) == {"Andreas Ioannou", safety.pseudonym(roster["risky"]), "Walk In"}
    assert people["Walk In"][2] == "walk-in"
    event = AuditEvent.objects.get(action="workshop.roster_export")
    assert event.actor == cast.facilitator
    assert event.object_id == str(cast.workshop.pk)
    assert event.data == {
        "kind": "workshop", "format": "csv", "columns": COLUMNS, "rows": 3,
        "pseudonymised": True, "chatham_house": False, "workshop": cast.workshop.pk,
        "scope": "attended",
    }  # fmt: skip


def test_facilitators_get_no_contact_columns(client, cast, roster):
    client.force_login(cast.facilitator)
    page = client.get(url(cast)).content.decode()
    assert 'value="email"' not in page
    assert 'value="phone"' not in page
    response = export(client, url(cast), columns=["name", "email"])
    assert response.status_code == 400
    client.force_login(cast.staff)
    assert 'value="email"' in client.get(url(cast)).content.decode()


def test_chatham_house_roster_keeps_community_sector_and_attendance(client, cast, roster):
    client.force_login(cast.staff)
    rows = csv_rows(
        export(client, url(cast), chatham="on", columns=[*COLUMNS, "community", "sector", "email"])
    )
    assert rows[0] == [
        "Community", "Sector", "Invitation status", "Attended", "Sessions attended",
    ]  # fmt: skip
    text = str(rows)
    for person in roster.values():
        assert person.full_name not in text
        assert person.email not in text


def test_program_roster_counts(client, cast, roster):
    client.force_login(cast.staff)
    response = client.post(
        program_url(cast),
        {
            "columns": ["name", "workshops_invited", "workshops_accepted", "workshops_attended"],
            "format": "csv",
            "action": "export",
        },
    )
    people = by_first_column(csv_rows(response))
    assert people == {
        "Andreas Ioannou": ["Andreas Ioannou", "2", "2", "1"],
        "Noa Levi": ["Noa Levi", "1", "0", "0"],
        safety.pseudonym(roster["risky"]): [safety.pseudonym(roster["risky"]), "1", "1", "1"],
        "Other Workshop": ["Other Workshop", "1", "0", "0"],
    }
    event = AuditEvent.objects.get(action="program.roster_export")
    assert event.data["program"] == cast.program.pk
    assert event.data["rows"] == 4


def test_staff_may_not_reveal_high_risk_people(client, cast, roster):
    client.force_login(cast.staff)
    assert 'name="reveal"' not in client.get(url(cast)).content.decode()
    rows = csv_rows(export(client, url(cast), reveal="on", confirm_reveal="on"))
    assert "Khaled Haddad" not in str(rows)


def test_admin_reveals_after_confirming(client, cast, roster):
    client.force_login(cast.admin)
    rows = csv_rows(export(client, url(cast), reveal="on", confirm_reveal="on"))
    assert "Khaled Haddad" in by_first_column(rows)
    assert AuditEvent.objects.get(action="workshop.roster_export").data["pseudonymised"] is False


def test_presets_saved_per_program_and_loaded(client, cast, roster):
    client.force_login(cast.staff)
    response = client.post(
        url(cast),
        {"columns": ["name", "dietary"], "format": "csv", "scope": "invited",
         "action": "save_preset", "preset_name": "  Catering  list "},
    )  # fmt: skip
    preset = ExportPreset.objects.get()
    assert (preset.program, preset.name, preset.kind) == (cast.program, "Catering list", "workshop")
    assert preset.columns == ["name", "dietary"]
    assert response.status_code == 302
    assert response["Location"].endswith(f"?preset={preset.pk}")
    # Same name again replaces the columns.
    client.post(
        url(cast),
        {"columns": ["name", "dietary", "accessibility"], "format": "csv", "scope": "invited",
         "action": "save_preset", "preset_name": "Catering list"},
    )  # fmt: skip
    preset.refresh_from_db()
    assert preset.columns == ["name", "dietary", "accessibility"]
    # Facilitators of the program's workshop load it, but may not save.
    client.force_login(cast.facilitator)
    page = client.get(url(cast), {"preset": preset.pk})
    assert page.context["form"].initial["columns"] == ["name", "dietary", "accessibility"]
    assert "Catering list" in page.content.decode()
    assert 'value="save_preset"' not in page.content.decode()
    response = client.post(
        url(cast),
        {"columns": ["name"], "format": "csv", "scope": "invited", "action": "save_preset",
         "preset_name": "Mine"},
    )  # fmt: skip
    assert response.status_code == 403
    # Another program's roster does not offer it.
    other = factories.WorkshopFactory(program=cast.other_program)
    client.force_login(cast.admin)
    page = client.get(reverse("workshops:roster_export", args=[other.pk]))
    assert "Catering list" not in page.content.decode()
    # Deleting.
    client.force_login(cast.staff)
    client.post(url(cast), {"action": "delete_preset", "preset": preset.pk})
    assert not ExportPreset.objects.exists()
