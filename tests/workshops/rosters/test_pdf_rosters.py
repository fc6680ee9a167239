"""PDF sign-in sheets and name badges, parsed back with pypdf and compared with the database:
who is printed for each roster, pseudonyms for high-risk people, Chatham House, paper sizes,
page numbers, who may print, and the audit entry of every download."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from core.models import AuditEvent
from participants import safety
from participants.models import RiskLevel
from participants.privacy import participant_erase
from tests import factories
from workshops import rosters_pdf
from workshops.models import AttendanceStatus, InvitationStatus
from workshops.rosters_pdf import (
    RosterExportError,
    RosterPdfKind,
    roster_lines,
    roster_pdf_export,
)

pytestmark = pytest.mark.django_db

# PDF points: A4 is 210 × 297 mm, US Letter 8.5 × 11 in.
A4 = (595.28, 841.89)
LETTER = (612.0, 792.0)


@pytest.fixture
def people(cast):
    """A delegation in four scripts, with one high-risk person, one who declined, one
    erased, a walk-in, and someone invited to another workshop only."""
    workshop = cast.workshop
    green = factories.CommunityFactory(name="Greek Cypriot", slug="gc", colour="#2ca02c")
    palestinian = factories.CommunityFactory(name="Palestinian", slug="ps", colour="#1f77b4")
    israeli = factories.CommunityFactory(name="Jewish Israeli", slug="ji", colour="")
    made = {
        "eleni": factories.ParticipantFactory(
            full_name="Eleni Georgiou",
            native_name="Ελένη Γεωργίου",
            organisation="Nicosia Youth Forum",
            community=green,
        ),
        "rania": factories.ParticipantFactory(
            full_name="Rania Khalil",
            native_name="رانيا خليل",
            organisation="Al-Quds University",
            community=palestinian,
        ),
        "noa": factories.ParticipantFactory(
            full_name="Noa Levi",
            native_name="נועה לוי",
            organisation="Hand in Hand School",
            community=israeli,
        ),
        "samir": factories.ParticipantFactory(
            full_name="Samir Haddad",
            native_name="سمير حداد",
            organisation="Hebron Chamber of Commerce",
            community=palestinian,
            risk_level=RiskLevel.HIGH,
        ),
        "declined": factories.ParticipantFactory(full_name="Dimitris Declined"),
        "erased": factories.ParticipantFactory(full_name="Erin Erased"),
        "walk_in": factories.ParticipantFactory(full_name="Aung Walkin", organisation="KPF"),
        "elsewhere": factories.ParticipantFactory(full_name="Olga Elsewhere"),
    }
    statuses = {
        "eleni": InvitationStatus.ACCEPTED,
        "rania": InvitationStatus.ACCEPTED,
        "noa": InvitationStatus.INVITED,
        "samir": InvitationStatus.ACCEPTED,
        "declined": InvitationStatus.DECLINED,
        "erased": InvitationStatus.ACCEPTED,
    }
    for key, status in statuses.items():
        factories.InvitationFactory(workshop=workshop, participant=made[key], status=status)
    factories.InvitationFactory(
        workshop=cast.other_workshop,
        participant=made["elsewhere"],
        status=InvitationStatus.ACCEPTED,
    )
    morning = factories.SessionFactory(workshop=workshop)
    afternoon = factories.SessionFactory(workshop=workshop)
    factories.AttendanceFactory(session=morning, participant=made["eleni"])
    factories.AttendanceFactory(session=afternoon, participant=made["eleni"])
    factories.AttendanceFactory(session=morning, participant=made["samir"])
    factories.AttendanceFactory(
        session=morning, participant=made["rania"], status=AttendanceStatus.ABSENT
    )
    factories.AttendanceFactory(session=afternoon, participant=made["walk_in"], is_walk_in=True)
    participant_erase(participant=made["erased"], by=cast.admin)
    return made


def url(workshop) -> str:
    return reverse("workshops:roster_pdf", args=[workshop.pk])


def download(client, workshop, **data) -> PdfReader:
    fields = {"kind": RosterPdfKind.SIGN_IN, "scope": "accepted", "paper": "a4", **data}
    fields = {key: value for key, value in fields.items() if value is not None}
    response = client.post(url(workshop), fields)
    assert response.status_code == 200, response.content[:2000]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return PdfReader(io.BytesIO(response.content))


def text_of(pdf: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in pdf.pages)


def printed(text: str, value: str) -> bool:
    """Every word of ``value`` is in the text (a right-to-left name comes back from the
    PDF word by word, in an order that depends on the extractor)."""
    return all(word in text for word in value.split())


def latest_export() -> AuditEvent:
    return AuditEvent.objects.filter(action="workshop.roster_export").latest("pk")


# --- What is printed, compared with the database -------------------------------------------------


def test_sign_in_sheet_of_those_who_accepted(client, cast, people):
    client.force_login(cast.staff)
    text = text_of(download(client, cast.workshop, scope="accepted"))

    for key in ("eleni", "rania"):
        person = people[key]
        assert printed(text, person.full_name), key
        assert printed(text, person.native_name), key
        assert printed(text, person.organisation), key
        assert printed(text, person.community.name), key
    # The high-risk person: their code, nothing that identifies them.
    samir = people["samir"]
    assert safety.pseudonym(samir) in text
    for fragment in ("Samir", "Haddad", "سمير", "حداد", "Hebron"):
        assert fragment not in text
    # Not on this roster: invited only, declined, erased, elsewhere, walk-in.
    for key in ("noa", "declined", "walk_in", "elsewhere"):
        assert people[key].full_name.split()[0] not in text, key
    assert "Erin" not in text and "Erased participant" not in text
    # The header: the workshop, its program, which roster and how many.
    assert cast.workshop.title in text
    assert cast.program.name in text
    assert "Accepted" in text and "3 people" in text


def test_everyone_invited_is_those_invited_or_accepted(client, cast, people):
    client.force_login(cast.admin)
    text = text_of(download(client, cast.workshop, scope="invited"))
    for key in ("eleni", "rania", "noa"):
        assert printed(text, people[key].full_name), key
    assert printed(text, people["noa"].native_name)
    assert safety.pseudonym(people["samir"]) in text
    assert "Dimitris" not in text and "Olga" not in text and "Aung" not in text
    assert latest_export().data["rows"] == 4


def test_attended_is_those_present_at_a_session_walk_ins_included(client, cast, people):
    client.force_login(cast.facilitator)
    text = text_of(download(client, cast.workshop, scope="attended"))
    assert printed(text, "Eleni Georgiou") and printed(text, "Aung Walkin")
    assert safety.pseudonym(people["samir"]) in text
    assert "Rania" not in text  # absent
    assert "Noa" not in text
    assert latest_export().data["rows"] == 3


def test_lines_are_numbered_in_the_order_of_the_printed_name(cast, people):
    lines = roster_lines(cast.workshop, "accepted")
    assert [line.number for line in lines] == [1, 2, 3]
    assert [line.participant_id for line in lines] == sorted(
        (people[k].pk for k in ("eleni", "rania", "samir")),
        key=lambda pk: {
            people["eleni"].pk: "eleni georgiou",
            people["rania"].pk: "rania khalil",
            people["samir"].pk: safety.pseudonym(people["samir"]).casefold(),
        }[pk],
    )
    hidden = next(line for line in lines if line.pseudonymised)
    assert (hidden.native_name, hidden.organisation, hidden.community, hidden.colour) == (
        "",
        "",
        "",
        "",
    )


def test_names_in_arabic_and_hebrew_are_laid_out_right_to_left(cast, people):
    lines = {line.participant_id: line for line in roster_lines(cast.workshop, "invited")}
    assert lines[people["rania"].pk].native_dir == "rtl"
    assert lines[people["noa"].pk].native_dir == "rtl"
    assert lines[people["eleni"].pk].native_dir == "ltr"
    assert lines[people["eleni"].pk].name_dir == "ltr"


# --- Paper, pages --------------------------------------------------------------------------------


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("letter", LETTER)])
@pytest.mark.parametrize("kind", [RosterPdfKind.SIGN_IN, RosterPdfKind.BADGES])
def test_paper_size(client, cast, people, paper, size, kind):
    client.force_login(cast.staff)
    pdf = download(client, cast.workshop, paper=paper, kind=kind)
    box = pdf.pages[0].mediabox
    assert float(box.width) == pytest.approx(size[0], abs=1)
    assert float(box.height) == pytest.approx(size[1], abs=1)
    assert latest_export().data["paper"] == paper


def test_every_page_is_numbered_and_long_rosters_run_over_pages(client, cast):
    for number in range(40):
        factories.InvitationFactory(
            workshop=cast.workshop,
            participant=factories.ParticipantFactory(full_name=f"Person {number:02d}"),
            status=InvitationStatus.ACCEPTED,
        )
    client.force_login(cast.staff)
    pdf = download(client, cast.workshop, paper="letter")
    total = len(pdf.pages)
    assert total >= 3
    for index, page in enumerate(pdf.pages, start=1):
        assert f"Page {index} / {total}" in page.extract_text()
    text = text_of(pdf)
    assert all(f"Person {number:02d}" in text for number in range(40))
    assert "40 people" in text


def test_badges_show_name_native_name_organisation_and_optionally_community(client, cast, people):
    client.force_login(cast.staff)
    text = text_of(download(client, cast.workshop, kind=RosterPdfKind.BADGES))
    for key in ("eleni", "rania"):
        assert printed(text, people[key].full_name)
        assert printed(text, people[key].native_name)
        assert printed(text, people[key].organisation)
    assert "Greek Cypriot" not in text  # community only when asked for
    assert safety.pseudonym(people["samir"]) in text
    assert "Samir" not in text and "Hebron" not in text
    event = latest_export()
    assert event.data["format"] == "pdf-badges"
    assert event.data["columns"] == ["full_name", "native_name", "organisation"]

    with_colour = text_of(
        download(client, cast.workshop, kind=RosterPdfKind.BADGES, community_colour="on")
    )
    assert "Greek Cypriot" in with_colour and "Palestinian" in with_colour
    assert "community" in latest_export().data["columns"]


def test_eight_badges_to_a_page(client, cast):
    for number in range(17):
        factories.InvitationFactory(
            workshop=cast.workshop,
            participant=factories.ParticipantFactory(full_name=f"Badge {number:02d}"),
            status=InvitationStatus.ACCEPTED,
        )
    client.force_login(cast.staff)
    pdf = download(client, cast.workshop, kind=RosterPdfKind.BADGES, paper="letter")
    assert len(pdf.pages) == 3
    assert pdf.pages[0].extract_text().count("Badge ") == 8
    assert "Page 3 / 3" in pdf.pages[2].extract_text()


# --- Chatham House -------------------------------------------------------------------------------


def test_chatham_house_sign_in_sheet_prints_no_names_at_all(client, cast, people):
    client.force_login(cast.staff)
    text = text_of(download(client, cast.workshop, scope="accepted", chatham_house="on"))
    for person in people.values():
        for word in (person.full_name.split() + person.native_name.split())[:4]:
            assert word not in text
        if person.organisation:
            assert person.organisation not in text
    assert safety.pseudonym(people["samir"]) not in text
    assert "Palestinian" not in text
    assert "Chatham House" in text
    assert "3 people" in text and "Signature".upper() in text.upper()
    event = latest_export()
    assert event.data["chatham_house"] is True
    assert event.data["columns"] == ["number", "signature"]
    assert event.data["rows"] == 3


def test_badges_have_no_chatham_house_form(client, cast, people):
    client.force_login(cast.admin)
    response = client.post(
        url(cast.workshop),
        {"kind": RosterPdfKind.BADGES, "scope": "accepted", "paper": "a4", "chatham_house": "on"},
    )
    assert response.status_code == 400
    assert "no Chatham House form" in response.content.decode()
    assert not AuditEvent.objects.filter(action="workshop.roster_export").exists()
    with pytest.raises(RosterExportError):
        roster_pdf_export(
            workshop=cast.workshop,
            by=cast.admin,
            kind=RosterPdfKind.BADGES,
            scope="accepted",
            chatham_house=True,
        )


# --- Revealing high-risk people ------------------------------------------------------------------


def test_admin_reveals_high_risk_people_only_after_confirming(client, cast, people):
    client.force_login(cast.admin)
    refused = client.post(
        url(cast.workshop),
        {"kind": "pdf-signin", "scope": "accepted", "paper": "a4", "reveal_high_risk": "on"},
    )
    assert refused.status_code == 400
    assert "Confirm" in refused.content.decode()
    assert not AuditEvent.objects.filter(action="workshop.roster_export").exists()

    text = text_of(download(client, cast.workshop, reveal_high_risk="on", confirm_reveal="on"))
    samir = people["samir"]
    assert printed(text, samir.full_name) and printed(text, samir.native_name)
    assert samir.organisation in text
    assert safety.pseudonym(samir) not in text
    event = latest_export()
    assert event.actor == cast.admin
    assert event.data["pseudonymised"] is False
    assert event.data["pseudonymised_rows"] == 0


@pytest.mark.parametrize("role", ["staff", "facilitator"])
def test_only_admins_may_reveal(client, cast, people, role):
    client.force_login(getattr(cast, role))
    page = client.get(url(cast.workshop)).content.decode()
    assert "reveal_high_risk" not in page
    # A hand-made POST is ignored: the field does not exist for them.
    text = text_of(download(client, cast.workshop, reveal_high_risk="on", confirm_reveal="on"))
    assert "Samir" not in text
    assert safety.pseudonym(people["samir"]) in text
    assert latest_export().data["pseudonymised"] is True
    with pytest.raises(RosterExportError):
        roster_pdf_export(
            workshop=cast.workshop,
            by=getattr(cast, role),
            kind=RosterPdfKind.SIGN_IN,
            scope="accepted",
            reveal_high_risk=True,
        )


def test_admin_sees_the_reveal_option(client, cast):
    client.force_login(cast.admin)
    page = client.get(url(cast.workshop)).content.decode()
    assert 'name="reveal_high_risk"' in page and 'name="confirm_reveal"' in page


# --- Who may print -------------------------------------------------------------------------------

ROLES = {
    "admin": 200,
    "staff": 200,
    "facilitator": 200,
    "other_facilitator": 404,  # facilitates another workshop of the same program
    "observer": 403,  # sees the workshop, never its people
    "other_staff": 404,
    "outsider": 404,
}


@pytest.mark.parametrize(("role", "status"), ROLES.items(), ids=ROLES.keys())
def test_who_may_open_the_page(client, cast, people, role, status):
    client.force_login(getattr(cast, role))
    response = client.get(url(cast.workshop))
    assert response.status_code == status
    if status == 200:
        assert "no-store" in response["Cache-Control"]
        counts = response.context["counts"]
        assert counts == {"invited": 4, "accepted": 3, "attended": 3}


@pytest.mark.parametrize(("role", "status"), ROLES.items(), ids=ROLES.keys())
def test_who_may_download(client, cast, people, role, status):
    client.force_login(getattr(cast, role))
    response = client.post(
        url(cast.workshop), {"kind": "pdf-signin", "scope": "accepted", "paper": "a4"}
    )
    assert response.status_code == status
    exported = AuditEvent.objects.filter(action="workshop.roster_export")
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert exported.get().actor == getattr(cast, role)
    else:
        assert not exported.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    for method in (client.get, client.post):
        response = method(url(cast.workshop))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert not AuditEvent.objects.filter(action="workshop.roster_export").exists()


def test_a_facilitator_prints_only_their_own_workshops(client, cast, people):
    client.force_login(cast.facilitator)
    assert client.get(url(cast.other_workshop)).status_code == 404
    assert client.post(url(cast.other_workshop), {"kind": "pdf-signin"}).status_code == 404
    with pytest.raises(RosterExportError):
        roster_pdf_export(
            workshop=cast.other_workshop,
            by=cast.facilitator,
            kind=RosterPdfKind.SIGN_IN,
            scope="accepted",
        )


# --- The audit entry -----------------------------------------------------------------------------


def test_every_download_is_audited_without_personal_data(client, cast, people):
    client.force_login(cast.facilitator)
    download(client, cast.workshop, scope="attended", paper="letter")
    event = latest_export()
    assert event.actor == cast.facilitator
    assert event.object_id == str(cast.workshop.pk)
    assert event.object_repr == f"workshop #{cast.workshop.pk}"
    assert event.data == {
        "kind": "workshop",
        "workshop": cast.workshop.pk,
        "format": "pdf-signin",
        "scope": "attended",
        "paper": "letter",
        "rows": 3,
        "columns": ["number", "full_name", "native_name", "organisation", "community", "signature"],
        "pseudonymised": True,
        "pseudonymised_rows": 1,
        "chatham_house": False,
    }
    logged = str(list(AuditEvent.objects.values_list("object_repr", "data"))).casefold()
    for fragment in ("eleni", "georgiou", "samir", "aung", "nicosia"):
        assert fragment not in logged


def test_a_discreet_program_prints_the_code_name_and_no_venue(client, cast, people):
    cast.program.discreet_mode = True
    cast.program.save(update_fields=["discreet_mode"])
    cast.workshop.code_name = "Spring gathering"
    cast.workshop.venue_name = "Hotel Ledra"
    cast.workshop.save(update_fields=["code_name", "venue_name"])
    client.force_login(cast.staff)
    text = text_of(download(client, cast.workshop))
    assert "Spring gathering" in text
    assert cast.workshop.title not in text
    assert "Ledra" not in text
    assert cast.program.name not in text


MYANMAR = range(0x1000, 0x10A0)


def test_a_native_name_no_font_can_draw_is_left_off_rather_than_printed_as_boxes(cast, monkeypatch):
    # Whatever this machine's fontconfig offers: here, no font draws the Myanmar block.
    covered = rosters_pdf.printable_codepoints()
    monkeypatch.setattr(
        rosters_pdf,
        "printable_codepoints",
        lambda: frozenset(code for code in covered if code not in MYANMAR),
    )
    burmese = factories.ParticipantFactory(full_name="Naw Htoo Paw", native_name="နော်ထူးပေါ်")
    vietnamese = factories.ParticipantFactory(
        full_name="Nguyen Van An", native_name="Nguyễn Văn An"
    )
    for person in (burmese, vietnamese):
        factories.InvitationFactory(
            workshop=cast.workshop, participant=person, status=InvitationStatus.ACCEPTED
        )
    lines = {line.participant_id: line for line in roster_lines(cast.workshop, "accepted")}
    assert lines[burmese.pk].full_name == "Naw Htoo Paw"
    assert lines[burmese.pk].native_name == ""
    assert lines[vietnamese.pk].native_name == "Nguyễn Văn An"


def test_a_native_name_is_printed_once_a_font_draws_its_script(cast, monkeypatch):
    covered = rosters_pdf.printable_codepoints()
    monkeypatch.setattr(rosters_pdf, "printable_codepoints", lambda: covered | frozenset(MYANMAR))
    burmese = factories.ParticipantFactory(full_name="Naw Htoo Paw", native_name="နော်ထူးပေါ်")
    factories.InvitationFactory(
        workshop=cast.workshop, participant=burmese, status=InvitationStatus.ACCEPTED
    )
    lines = {line.participant_id: line for line in roster_lines(cast.workshop, "accepted")}
    assert lines[burmese.pk].native_name == "နော်ထူးပေါ်"
