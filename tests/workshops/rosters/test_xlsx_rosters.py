"""Workshop rosters as XLSX: bold frozen header, column widths, parsed back and compared
with the database, pseudonyms and neutralised cells."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import AuditEvent
from participants import safety
from participants.models import RiskLevel
from tests import factories
from tests.participants.exports.helpers import by_first_column, response_bytes, xlsx_rows
from workshops.models import InvitationStatus

pytestmark = pytest.mark.django_db


def test_workshop_roster_xlsx(client, cast):
    plain = factories.ParticipantFactory(full_name="Eleni Charalambous", organisation="@risk")
    risky = factories.ParticipantFactory(full_name="Saw Htoo", risk_level=RiskLevel.HIGH)
    for person in (plain, risky):
        factories.InvitationFactory(
            workshop=cast.workshop, participant=person, status=InvitationStatus.ACCEPTED
        )
    client.force_login(cast.staff)
    response = client.post(
        reverse("workshops:roster_export", args=[cast.workshop.pk]),
        {
            "columns": ["name", "organisation", "email", "status", "sessions_attended"],
            "format": "xlsx",
            "scope": "accepted",
            "action": "export",
        },
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    assert "-roster-accepted-" in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    data = response_bytes(response)
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["A"].width == 28
    rows = xlsx_rows(data)
    # The catalogue's order, whatever order the columns were ticked in.
    assert rows[0] == ["Name", "Email", "Organisation", "Invitation status", "Sessions attended"]
    assert by_first_column(rows) == {
        "Eleni Charalambous": ["Eleni Charalambous", plain.email, "'@risk", "Accepted", "0"],
        safety.pseudonym(risky): [safety.pseudonym(risky), "", "", "Accepted", "0"],
    }
    assert sheet["E2"].data_type == "n"  # counts stay numbers
    event = AuditEvent.objects.get(action="workshop.roster_export")
    assert (event.data["format"], event.data["rows"]) == ("xlsx", 2)


def test_a_facilitators_big_roster_goes_through_a_job(
    client, cast, settings, django_capture_on_commit_callbacks, eager_celery
):
    from participants.models import ExportJob, ExportJobStatus

    settings.EXPORT_XLSX_BACKGROUND_ROWS = 1
    for name in ("Saw Htoo", "Naw Paw"):
        factories.InvitationFactory(
            workshop=cast.workshop, participant=factories.ParticipantFactory(full_name=name)
        )
    client.force_login(cast.facilitator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workshops:roster_export", args=[cast.workshop.pk]),
            {"columns": ["name", "status"], "format": "xlsx", "scope": "invited",
             "action": "export"},
        )  # fmt: skip
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("participants:export_job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == ExportJobStatus.DONE
    download = client.get(reverse("participants:export_job_download", args=[job.pk]))
    rows = xlsx_rows(download)
    assert sorted(rows[1:]) == [
        ["Naw Paw", "On the invite list"],
        ["Saw Htoo", "On the invite list"],
    ]
    # The workshop's other facilitator may not download it.
    client.force_login(cast.other_facilitator)
    assert client.get(reverse("participants:export_job_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("who", ["staff", "facilitator"])
def test_roster_page_queries_do_not_grow_with_the_roster(
    client, cast, who, django_assert_max_num_queries
):
    for _ in range(30):
        factories.InvitationFactory(workshop=cast.workshop)
    client.force_login(getattr(cast, who))
    with django_assert_max_num_queries(20):
        assert (
            client.get(reverse("workshops:roster_export", args=[cast.workshop.pk])).status_code
            == 200
        )
