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
