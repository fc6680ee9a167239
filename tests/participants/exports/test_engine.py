"""The export engine: SQL pseudonyms equal Python's, formulas neutralised, CSV and XLSX
parsed back and compared with the database."""

import csv
import io

import pytest
from openpyxl import load_workbook

from participants import safety
from participants.exports.protection import (
    Pseudonym,
    export_transaction,
    hmac_pads,
    neutralise,
)
from participants.exports.queries import export_queryset
from participants.exports.spec import ExportSpec
from participants.exports.writers import write_csv, write_xlsx
from participants.models import Participant, RiskLevel
from tests import factories

pytestmark = pytest.mark.django_db


def parse_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_sql_pseudonyms_are_the_python_ones(cast):
    people = [factories.ParticipantFactory(risk_level=RiskLevel.HIGH) for _ in range(5)]
    with export_transaction():
        computed = dict(
            Participant.objects.filter(pk__in=[p.pk for p in people])
            .annotate(code=Pseudonym("pk"))
            .values_list("pk", "code")
        )
    assert computed == {p.pk: safety.pseudonym(p) for p in people}


@pytest.mark.parametrize("secret", ["short", "k" * 64, "ü" * 50 + "x" * 100])
def test_sql_pseudonyms_hold_for_any_key_length(cast, settings, secret):
    settings.SECRET_KEY = secret
    person = factories.ParticipantFactory(risk_level=RiskLevel.HIGH)
    with export_transaction():
        code = Participant.objects.filter(pk=person.pk).annotate(code=Pseudonym("pk"))[0].code
    assert code == safety.pseudonym(person)
    assert len(hmac_pads(secret)[0]) == 64


def test_without_the_key_a_pseudonym_is_empty_never_a_name(cast):
    person = factories.ParticipantFactory(risk_level=RiskLevel.HIGH)
    code = Participant.objects.filter(pk=person.pk).annotate(code=Pseudonym("pk"))[0].code
    assert code is None


def test_python_neutralise():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("plain") == "plain"
    assert neutralise("\tx") == "'\tx"


def registry_spec(**kw) -> ExportSpec:
    return ExportSpec(
        kind="registry",
        columns=["name", "email", "phone", "organisation", "community", "sector", "registry_id"],
        **kw,
    )


@pytest.fixture
def people(cast):
    normal = factories.ParticipantFactory(
        full_name="Eleni Georgiou", organisation='=HYPERLINK("http://x")', phone="+357 99 123456"
    )
    risky = factories.ParticipantFactory(
        full_name="Khaled Nasser",
        organisation="Al-Quds University",
        risk_level=RiskLevel.HIGH,
        phone="+972 50 1234567",
    )
    sneaky = factories.ParticipantFactory(full_name="@SUM(A1:A9)", organisation="-2+3", email="")
    return normal, risky, sneaky


def expected_rows(normal, risky, sneaky):
    return {
        normal.pk: [
            "Eleni Georgiou", normal.email, "'+357 99 123456", "'=HYPERLINK(\"http://x\")",
            normal.community.name, normal.sector.name, str(normal.pk),
        ],
        risky.pk: [
            safety.pseudonym(risky), "", "", "", risky.community.name, risky.sector.name, "",
        ],
        sneaky.pk: [
            "'@SUM(A1:A9)", "", "", "'-2+3", sneaky.community.name, sneaky.sector.name,
            str(sneaky.pk),
        ],
    }  # fmt: skip


def test_csv_by_copy_is_protected(people, cast):
    queryset, columns = export_queryset(registry_spec(), cast.admin)
    buffer = io.BytesIO()
    write_csv(queryset, columns, buffer)
    rows = parse_csv(buffer.getvalue())
    assert rows[0] == [
        "Name",
        "Email",
        "Phone",
        "Organisation",
        "Community",
        "Sector",
        "Registry ID",
    ]
    expected = expected_rows(*people)
    assert sorted(rows[1:]) == sorted(expected.values())
    # A pseudonym sorts as itself, not where its person's name would.
    names = [row[0] for row in rows[1:]]
    assert names == sorted(names)


def test_xlsx_is_protected(people, cast):
    queryset, columns = export_queryset(registry_spec(), cast.admin)
    buffer = io.BytesIO()
    assert write_xlsx(queryset, columns, buffer, title="Registry") == 3
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.b
    rows = [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    assert sorted(rows[1:]) == sorted(expected_rows(*people).values())
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_reveal_shows_high_risk_people_in_full(people, cast):
    normal, risky, sneaky = people
    queryset, columns = export_queryset(registry_spec(reveal=True), cast.admin)
    rows = {row[-1]: row for row in queryset}
    assert rows[risky.pk][0] == "Khaled Nasser"
    assert rows[risky.pk][2] == "'+972 50 1234567"


def test_chatham_house_keeps_no_names(people, cast):
    spec = registry_spec(chatham=True)
    queryset, columns = export_queryset(spec, cast.admin)
    assert [c.key for c in columns] == ["community", "sector"]
    buffer = io.BytesIO()
    write_csv(queryset, columns, buffer)
    text = buffer.getvalue().decode()
    for person in people:
        assert person.full_name not in text
        assert person.email not in text or not person.email


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_start_is_neutralised_in_sql(cast, start):
    person = factories.ParticipantFactory(full_name="Plain Name", position=f"{start}SUM(1)")
    spec = ExportSpec(kind="registry", columns=["name", "position"])
    queryset, columns = export_queryset(spec, cast.admin)
    with export_transaction():
        assert list(queryset) == [("Plain Name", f"'{start}SUM(1)")]
    assert person.position.startswith(start)


def test_harmless_starts_are_left_alone(cast):
    factories.ParticipantFactory(full_name="Plain Name", position="Director (=acting)")
    queryset, _columns = export_queryset(
        ExportSpec(kind="registry", columns=["position"]), cast.admin
    )
    assert list(queryset) == [("Director (=acting)",)]


def test_sql_and_python_pseudonyms_agree_for_many_people(cast):
    sector = factories.sector()
    people = Participant.objects.bulk_create(
        [Participant(full_name=f"Person {n}", sector=sector, risk_level="high") for n in range(300)]
    )
    with export_transaction():
        computed = dict(
            Participant.objects.filter(pk__in=[p.pk for p in people])
            .annotate(code=Pseudonym("pk"))
            .values_list("pk", "code")
        )
    assert computed == {p.pk: safety.pseudonym(p) for p in people}
    assert len(set(computed.values())) == 300
