"""The registry export: admins only, the registry's filters applied, every format parsed
back and compared with the database, protections, the audit entry."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from participants import safety
from participants.models import RiskLevel
from tests import factories
from tests.participants.exports.helpers import by_first_column, csv_rows, xlsx_rows

pytestmark = pytest.mark.django_db

URL = reverse("participants:export")
COLUMNS = ["name", "email", "phone", "organisation", "community", "sector", "risk_level"]


@pytest.fixture
def registry(cast):
    greek = factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot")
    turkish = factories.CommunityFactory(name="Turkish Cypriot", slug="turkish-cypriot")
    eleni = factories.ParticipantFactory(
        full_name="Eleni Georgiou",
        community=greek,
        phone="+357 99 123456",
        organisation="University of Cyprus",
    )
    mehmet = factories.ParticipantFactory(
        full_name="Mehmet Yılmaz", community=turkish, organisation="=cmd|' /C calc'!A0"
    )
    ayse = factories.ParticipantFactory(
        full_name="Ayşe Demir",
        community=turkish,
        risk_level=RiskLevel.HIGH,
        organisation="Yenidüzen",
        phone="+90 533 000 0000",
    )
    factories.ParticipantFactory(full_name="Erased Person", erased_at="2026-01-01T00:00Z")
    return {"eleni": eleni, "mehmet": mehmet, "ayse": ayse, "greek": greek, "turkish": turkish}


def post(client, **data):
    payload = {"columns": COLUMNS, "format": "csv", "action": "export", "filters": ""}
    payload.update(data)
    return client.post(URL, payload)


@pytest.mark.parametrize("who", ["staff", "facilitator", "observer", "outsider"])
def test_only_admins_export_the_registry(client, cast, registry, who):
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == 403
    assert post(client).status_code == 403
    assert not AuditEvent.objects.filter(action="registry.export").exists()


def test_signed_out_goes_to_sign_in(client, cast):
    assert client.get(URL).status_code == 302


def test_form_page_says_how_many_match_and_defaults(client, cast, registry):
    client.force_login(cast.admin)
    response = client.get(URL, {"community": registry["turkish"].pk})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    page = response.content.decode()
    assert "2 people match the registry" in page
    assert 'value="name" checked' in page.replace("\n", " ") or "checked" in page
    assert response.context["form"].initial["filters"] == f"community={registry['turkish'].pk}"


def test_csv_matches_the_database_with_pseudonyms_and_neutralised_cells(client, cast, registry):
    client.force_login(cast.admin)
    response = post(client)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Cache-Control"].startswith("no-store")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert rows[0] == [
        "Name", "Email", "Phone", "Organisation", "Community", "Sector", "Risk level",
    ]  # fmt: skip
    people = by_first_column(rows)
    eleni, ayse = registry["eleni"], registry["ayse"]
    assert people["Eleni Georgiou"] == [
        "Eleni Georgiou", eleni.email, "'+357 99 123456", "University of Cyprus",
        "Greek Cypriot", eleni.sector.name, "Normal",
    ]  # fmt: skip
    assert people["Mehmet Yılmaz"][3] == "'=cmd|' /C calc'!A0"
    assert people[safety.pseudonym(ayse)] == [
        safety.pseudonym(ayse), "", "", "", "Turkish Cypriot", ayse.sector.name, "High",
    ]  # fmt: skip
    assert "Ayşe" not in response_text(rows)
    assert "Erased Person" not in response_text(rows)
    assert len(rows) == 4


def response_text(rows) -> str:
    return "\n".join(",".join(row) for row in rows)


def test_the_registry_filters_apply(client, cast, registry):
    client.force_login(cast.admin)
    response = post(client, filters=f"community={registry['greek'].pk}")
    rows = csv_rows(response)
    assert [row[0] for row in rows[1:]] == ["Eleni Georgiou"]


def test_search_filter_applies_and_is_not_audited_as_text(client, cast, registry):
    client.force_login(cast.admin)
    rows = csv_rows(post(client, filters="q=Eleni"))
    assert [row[0] for row in rows[1:]] == ["Eleni Georgiou"]
    event = AuditEvent.objects.get(action="registry.export")
    assert event.data["filters"] == ["q"]
    assert "Eleni" not in str(event.data)


def test_xlsx_matches_the_database(client, cast, registry):
    client.force_login(cast.admin)
    response = post(client, format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"].startswith("no-store")
    rows = xlsx_rows(response)
    assert rows[0][0] == "Name"
    people = by_first_column(rows)
    ayse = registry["ayse"]
    assert people[safety.pseudonym(ayse)][1:4] == ["", "", ""]
    assert people["Mehmet Yılmaz"][3] == "'=cmd|' /C calc'!A0"
    assert people["Eleni Georgiou"][2] == "'+357 99 123456"
    assert len(rows) == 4


def test_every_export_is_audited_without_personal_data(client, cast, registry):
    client.force_login(cast.admin)
    csv_rows(post(client))
    event = AuditEvent.objects.get(action="registry.export")
    assert event.actor == cast.admin
    assert event.data == {
        "kind": "registry", "format": "csv", "columns": COLUMNS, "rows": 3,
        "pseudonymised": True, "chatham_house": False, "filters": [],
    }  # fmt: skip


def test_reveal_needs_confirmation(client, cast, registry):
    client.force_login(cast.admin)
    response = post(client, reveal="on")
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action="registry.export").exists()
    rows = csv_rows(post(client, reveal="on", confirm_reveal="on"))
    assert "Ayşe Demir" in by_first_column(rows)
    event = AuditEvent.objects.get(action="registry.export")
    assert event.data["pseudonymised"] is False


def test_chatham_house_export_has_no_names_or_contacts(client, cast, registry):
    client.force_login(cast.admin)
    rows = csv_rows(post(client, chatham="on"))
    assert rows[0] == ["Community", "Sector"]
    assert sorted(row[0] for row in rows[1:]) == [
        "Greek Cypriot",
        "Turkish Cypriot",
        "Turkish Cypriot",
    ]
    assert AuditEvent.objects.get(action="registry.export").data["chatham_house"] is True


def test_no_columns_is_a_form_error(client, cast, registry):
    client.force_login(cast.admin)
    response = post(client, columns=[])
    assert response.status_code == 400
    assert "Choose at least one column" in response.content.decode()


@pytest.mark.parametrize("who", ["admin", "staff"])
def test_the_registry_list_offers_the_export_with_its_filters_to_admins(client, cast, who):
    client.force_login(getattr(cast, who))
    html = client.get(reverse("participants:list"), {"q": "odeh"}).content.decode()
    link = reverse("participants:export") + "?q=odeh"
    assert (link in html) is (who == "admin")
