"""The Django admin: every model has a working changelist, search and add page for admins."""

from datetime import date

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import audit
from core.models import AuditEvent, User
from core.two_factor import new_backup_codes
from dialogues.models import ProgramMembership, ProgramRole
from participants.models import (
    ConsentScope,
    ExportJob,
    ExportPreset,
    LikelyDuplicate,
    Participant,
    ParticipantImport,
    Tag,
)
from tests import factories
from workshops.calendar import calendar_feed_issue
from workshops.models import (
    CalendarFeed,
    MessageTemplate,
    NoteDraft,
    NoteTheme,
    SessionNoteRevision,
)

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
READ_ONLY = {AuditEvent, SessionNoteRevision}
# Made by the app (an upload, the duplicate scan, a user's feed): no add page in the admin.
MADE_IN_THE_APP = READ_ONLY | {
    AccessAttempt,  # django-axes: failed sign-ins, deleted to unlock
    ParticipantImport,
    LikelyDuplicate,
    CalendarFeed,
    NoteDraft,
    ExportJob,
}


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser(client) -> User:
    user = factories.AdminFactory(username="root")
    client.force_login(user)
    return user


@pytest.fixture
def populated(superuser) -> None:
    """At least one row of every project model, built the way the app builds them."""
    note = factories.SessionNoteFactory(author=superuser)
    session = factories.SessionFactory(workshop=note.workshop)
    invitation = factories.InvitationFactory(workshop=note.workshop)
    factories.AttendanceFactory(session=session, participant=invitation.participant)
    factories.ConsentRecordFactory(participant=invitation.participant)
    factories.MembershipFactory(program=note.workshop.program)
    factories.FollowUpActionFactory(workshop=note.workshop, note=note)
    factories.ScheduledMessageFactory(invitation=invitation)
    MessageTemplate.objects.create(
        program=note.workshop.program,
        kind="invitation",
        subject="{{ workshop }}",
        body="Dear {{ participant_name }}",
    )
    invitation.participant.tags.add(Tag.objects.create(name="alumni 2024"))
    note.themes.add(NoteTheme.objects.create(name="missing persons"))
    SessionNoteRevision.objects.create(
        note=note, title="Draft", body="Earlier text", level=note.level, chatham_house=True,
        edited_by=superuser,
    )  # fmt: skip
    audit.record(superuser, "participant.export", invitation.participant, count=1)
    Group.objects.create(name="Facilitators")
    ParticipantImport.objects.create(
        file=ContentFile(b"full_name,email\n", name="people.csv"),
        original_name="people.csv",
        uploaded_by=superuser,
    )
    twin = factories.ParticipantFactory()
    first, second = sorted((invitation.participant.pk, twin.pk))
    LikelyDuplicate.objects.create(first_id=first, second_id=second, reason="phone", score=0.95)
    calendar_feed_issue(user=superuser)
    NoteDraft.objects.create(user=superuser, workshop=note.workshop, note=note, body="Half a line")
    ExportPreset.objects.create(
        program=note.workshop.program, name="Venue list", kind="workshop", columns=["name"]
    )
    ExportJob.objects.create(requester=superuser, kind="registry", params={"format": "csv"})
    new_backup_codes(superuser)
    AccessAttempt.objects.create(
        username="someone", ip_address="192.0.2.1", user_agent="", failures_since_start=2
    )


def test_every_project_model_is_registered():
    project_models = {
        model
        for label in ("core", "participants", "dialogues", "workshops")
        for model in apps.get_app_config(label).get_models()
    }
    assert project_models - set(admin.site._registry) == set()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_and_search_load(client, populated, model):
    assert model.objects.exists()
    response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()

    response = client.get(url(model, "changelist"), {"q": "x"})
    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_change_page_loads(client, populated, model):
    obj = model.objects.first()
    assert client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize(
    "model",
    [model for model in REGISTERED if model not in MADE_IN_THE_APP],
    ids=lambda model: model._meta.label,
)
def test_add_page_loads(client, superuser, model):
    assert client.get(url(model, "add")).status_code == 200


@pytest.mark.parametrize("model", sorted(READ_ONLY, key=str), ids=lambda model: model.__name__)
def test_history_cannot_be_written_or_erased(client, populated, model):
    obj = model.objects.order_by("pk").first()
    assert client.get(url(model, "add")).status_code == 403
    assert client.get(url(model, "delete", obj.pk)).status_code == 403
    response = client.post(url(model, "change", obj.pk), {})
    assert response.status_code == 403
    changelist = client.get(url(model, "changelist"))
    assert "delete_selected" not in changelist.context["cl"].model_admin.get_actions(
        changelist.wsgi_request
    )
    assert model.objects.filter(pk=obj.pk).exists()


def test_note_revisions_are_shown_read_only_on_the_note(client, populated):
    revision = SessionNoteRevision.objects.get()
    response = client.get(url(type(revision.note), "change", revision.note.pk))
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is SessionNoteRevision
    )
    assert formset.has_add_permission is False
    assert formset.has_change_permission is False
    assert formset.has_delete_permission is False
    assert "Earlier text" in response.content.decode()


def _query_count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def _audit_event() -> AuditEvent:
    return audit.record(factories.UserFactory(), "test.event")


@pytest.mark.parametrize(
    ("label", "make_row"),
    [
        ("participants.Participant", factories.ParticipantFactory),
        ("participants.ConsentRecord", factories.ConsentRecordFactory),
        ("dialogues.ProgramMembership", factories.MembershipFactory),
        ("workshops.Invitation", factories.InvitationFactory),
        ("workshops.Attendance", factories.AttendanceFactory),
        ("workshops.SessionNote", factories.SessionNoteFactory),
        ("workshops.FollowUpAction", factories.FollowUpActionFactory),
        ("workshops.ScheduledMessage", factories.ScheduledMessageFactory),
        ("core.AuditEvent", _audit_event),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_changelist_query_count_stays_flat(
    client, superuser, django_assert_max_num_queries, label, make_row
):
    model = apps.get_model(label)
    make_row()
    path = url(model, "changelist")
    few = _query_count(client, path)
    for _ in range(20):
        make_row()
    assert model.objects.count() >= 21
    with django_assert_max_num_queries(few):
        response = client.get(path)
    assert response.context["cl"].result_count == model.objects.count()


def test_participant_search_covers_names_email_and_organisation(client, superuser):
    hit = factories.ParticipantFactory(
        full_name="Eleni Georgiou",
        native_name="Ελένη Γεωργίου",
        email="eleni@peace.example",
        organisation="Nicosia Youth Forum",
    )
    factories.ParticipantFactory(
        full_name="Mehmet Ali", native_name="", email="m@example.org", organisation="Other"
    )
    for term in ("Georgiou", "Ελένη", "eleni@peace", "Youth Forum"):
        response = client.get(url(Participant, "changelist"), {"q": term})
        assert list(response.context["cl"].result_list) == [hit], term


def test_admin_records_who_created_a_participant_and_their_consent(client, superuser):
    data = {
        "full_name": "Aye Aye",
        "sector": factories.sector().pk,
        "risk_level": "normal",
        "consent_records-TOTAL_FORMS": "1",
        "consent_records-INITIAL_FORMS": "0",
        "consent_records-0-scope": ConsentScope.CONTACT,
        "consent_records-0-granted": "on",
        "consent_records-0-method": "verbal",
        "consent_records-0-given_on": date(2026, 3, 1).isoformat(),
    }
    response = client.post(url(Participant, "add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    participant = Participant.objects.get(full_name="Aye Aye")
    assert participant.created_by == superuser
    assert participant.consent_records.get().recorded_by == superuser


def test_admin_records_who_added_a_program_member(client, superuser):
    program = factories.ProgramFactory()
    member = factories.UserFactory()
    response = client.post(
        url(ProgramMembership, "add"),
        {"program": program.pk, "user": member.pk, "role": ProgramRole.OBSERVER},
    )
    assert response.status_code == 302
    membership = ProgramMembership.objects.get(program=program, user=member)
    assert membership.added_by == superuser


def test_user_admin_edits_language_and_time_zone(client, superuser):
    user = factories.UserFactory(username="facilitator")
    response = client.get(url(User, "change", user.pk))
    form = response.context["adminform"].form
    assert {"language", "time_zone"} <= set(form.fields)
    assert {"language", "time_zone"} <= set(
        client.get(url(User, "add")).context["adminform"].form.fields
    )


def test_staff_flag_is_required(client):
    user = factories.UserFactory(is_staff=False, is_superuser=False)
    client.force_login(user)
    for path in (reverse("admin:index"), url(Participant, "changelist")):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get(url(AuditEvent, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_admin_pages_carry_the_olive_branch_name(client):
    client.force_login(factories.AdminFactory())
    page = client.get(reverse("admin:index")).content.decode()
    assert "Olive Branch administration" in page
    assert "Django administration" not in page


def test_a_participant_changed_in_the_admin_is_audited_by_field_name(client, superuser):
    person = factories.ParticipantFactory(full_name="Rania Odeh", organisation="Birzeit")
    page = client.get(url(Participant, "change", person.pk))
    form = page.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        {
            "full_name": "Rania Odeh",
            "organisation": "Bethlehem University",
            "sector": person.sector_id,
            "community": person.community_id,
            "consent_records-TOTAL_FORMS": 0,
            "consent_records-INITIAL_FORMS": 0,
        }
    )
    response = client.post(url(Participant, "change", person.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = AuditEvent.objects.get(action="participant.changed")
    assert "organisation" in event.data["fields"] and event.data["via"] == "admin"
    assert "Bethlehem" not in str(event.data) and "Rania" not in event.object_repr
