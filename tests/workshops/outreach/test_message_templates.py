"""A program's message templates: who may edit them, placeholder checks on save, the
preview with sample values, and the wording compose.render then uses per language."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from participants.models import Language
from tests import factories
from tests.html import assert_valid_page
from workshops.models import MessageKind, MessageTemplate, WorkshopStatus
from workshops.outreach import compose, templates
from workshops.outreach.defaults import DEFAULTS

pytestmark = pytest.mark.django_db

ARABIC_SUBJECT = "دعوة: {{ workshop }}"
ARABIC_BODY = (
    "عزيزتي {{ participant_name }}،\n\nيسعدنا حضورك {{ workshop }}، {{ dates }}.\n\n{{ rsvp_link }}"
)


def language(code: str) -> Language:
    return Language.objects.get(code=code)


def make_template(program, kind=MessageKind.INVITATION, lang=None, **fields) -> MessageTemplate:
    return MessageTemplate.objects.create(
        program=program,
        kind=kind,
        language=language(lang) if lang else None,
        subject=fields.get("subject", "Our invitation: {{ workshop }}"),
        body=fields.get("body", "Dear {{ participant_name }},\n\nJoin us {{ dates }}."),
    )


def list_url(program) -> str:
    return reverse("workshops:message_templates", args=[program.pk])


def new_url(program, kind: str | None = None) -> str:
    url = reverse("workshops:message_template_create", args=[program.pk])
    return f"{url}?kind={kind}" if kind else url


def edit_url(template) -> str:
    return reverse("workshops:message_template_edit", args=[template.program_id, template.pk])


def delete_url(template) -> str:
    return reverse("workshops:message_template_delete", args=[template.program_id, template.pk])


def form_data(**overrides) -> dict:
    data = {
        "kind": MessageKind.INVITATION,
        "language": "",
        "subject": "You are invited: {{ workshop }}",
        "body": "Dear {{ participant_name }},\n\nPlease join us {{ dates }} at {{ venue }}.\n\n"
        "Answer here: {{ rsvp_link }}\n\n{{ organiser }}",
    }
    data.update(overrides)
    return data


# --- Who may do what --------------------------------------------------------------------------

ROLES = [
    ("admin", 200),
    ("staff", 200),
    ("other_staff", 404),  # another program's staff: the program does not exist for them
    ("facilitator", 403),  # sees the program, may not change its messages
    ("other_facilitator", 403),
    ("observer", 403),
    ("outsider", 404),
]


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_who_sees_the_template_list(client, cast, role, expected):
    make_template(cast.program)
    client.force_login(getattr(cast, role))
    response = client.get(list_url(cast.program))
    assert response.status_code == expected
    if expected == 200:
        assert_valid_page(response)


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_who_opens_the_add_and_edit_pages(client, cast, role, expected):
    template = make_template(cast.program)
    client.force_login(getattr(cast, role))
    for url in (new_url(cast.program, "reminder"), edit_url(template)):
        response = client.get(url)
        assert response.status_code == expected, url
        if expected == 200:
            assert_valid_page(response)


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_who_may_add_edit_and_delete(client, cast, role, expected):
    template = make_template(cast.program, lang="ar", subject=ARABIC_SUBJECT, body=ARABIC_BODY)
    client.force_login(getattr(cast, role))

    response = client.post(new_url(cast.program), form_data())
    assert response.status_code == (302 if expected == 200 else expected)
    assert MessageTemplate.objects.filter(language=None).exists() is (expected == 200)

    response = client.post(edit_url(template), form_data(language="ar", subject="Changed"))
    assert response.status_code == (302 if expected == 200 else expected)
    template.refresh_from_db()
    assert (template.subject == "Changed") is (expected == 200)

    response = client.post(delete_url(template))
    assert response.status_code == (302 if expected == 200 else expected)
    assert MessageTemplate.objects.filter(pk=template.pk).exists() is (expected != 200)


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    template = make_template(cast.program)
    for url in (list_url(cast.program), new_url(cast.program), edit_url(template)):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(delete_url(template))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.post(new_url(cast.program), form_data())
    assert response.status_code == 302
    assert MessageTemplate.objects.count() == 1


def test_another_programs_template_is_not_found_under_this_program(client, cast):
    theirs = make_template(cast.other_program)
    client.force_login(cast.staff)
    edit = reverse("workshops:message_template_edit", args=[cast.program.pk, theirs.pk])
    delete = reverse("workshops:message_template_delete", args=[cast.program.pk, theirs.pk])
    assert client.get(edit).status_code == 404
    assert client.post(delete).status_code == 404
    assert MessageTemplate.objects.filter(pk=theirs.pk).exists()


def test_delete_is_post_only(client, cast):
    template = make_template(cast.program)
    client.force_login(cast.staff)
    assert client.get(delete_url(template)).status_code == 405
    assert MessageTemplate.objects.filter(pk=template.pk).exists()


# --- The list ---------------------------------------------------------------------------------


def test_list_says_per_kind_whose_wording_is_used(client, cast):
    default = make_template(cast.program, subject="Our invitation: {{ workshop }}")
    arabic = make_template(cast.program, lang="ar", subject=ARABIC_SUBJECT, body=ARABIC_BODY)
    make_template(cast.other_program, kind=MessageKind.REMINDER, subject="Not ours {{ workshop }}")
    client.force_login(cast.staff)
    response = client.get(list_url(cast.program))
    page = response.content.decode()
    by_kind = {entry.kind: entry for entry in response.context["kinds"]}
    assert set(by_kind) == set(MessageKind.values)
    assert list(by_kind)[:2] == ["invitation", "seat_offer"]
    assert by_kind[MessageKind.INVITATION].templates == [default, arabic]
    assert not by_kind[MessageKind.INVITATION].uses_built_in
    assert by_kind[MessageKind.REMINDER].templates == []
    assert by_kind[MessageKind.REMINDER].uses_built_in
    assert "Our invitation: {{ workshop }}" in page
    assert "Not ours" not in page
    assert "Built-in wording" in page
    assert str(DEFAULTS[MessageKind.REMINDER][0]) in page  # the built-in subject is shown
    assert edit_url(default) in page and edit_url(arabic) in page
    assert delete_url(arabic) in page
    assert new_url(cast.program, "reminder").replace("&", "&amp;") in page
    # Placeholders are explained per kind, with what they stand for.
    assert "{{ rsvp_link }}" in page and "the participant&#x27;s personal link to answer" in page
    assert "{{ feedback_link }}" in page and "{{ due_date }}" in page


def test_list_query_count_does_not_grow_with_templates(client, cast, django_assert_max_num_queries):
    client.force_login(cast.staff)
    make_template(cast.program)
    with django_assert_max_num_queries(20) as few:
        client.get(list_url(cast.program))
    codes = list(Language.objects.values_list("code", flat=True)[:12])
    for kind in MessageKind.values:
        for code in codes:
            make_template(cast.program, kind=kind, lang=code, subject="{{ workshop }}", body=".")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(list_url(cast.program))
    assert sum(len(entry.templates) for entry in response.context["kinds"]) == 1 + 7 * 12


def test_archived_program_is_read_only(client, cast):
    template = make_template(cast.program)
    cast.program.archived_at = timezone.now()
    cast.program.save()
    client.force_login(cast.staff)
    page = client.get(list_url(cast.program)).content.decode()
    assert "archived" in page and edit_url(template) not in page
    for url in (new_url(cast.program), edit_url(template)):
        response = client.get(url, follow=True)
        assert response.redirect_chain[-1][0] == list_url(cast.program)
        assert "restore it before changing its messages" in response.content.decode()
    client.post(new_url(cast.program), form_data(language="fr"))
    client.post(edit_url(template), form_data(subject="Changed"))
    client.post(delete_url(template))
    template.refresh_from_db()
    assert template.subject != "Changed"
    assert MessageTemplate.objects.count() == 1


# --- Adding and editing -----------------------------------------------------------------------


def test_a_new_template_starts_from_the_built_in_wording(client, cast):
    client.force_login(cast.staff)
    response = client.get(new_url(cast.program, "reminder"))
    form = response.context["form"]
    subject, body = DEFAULTS[MessageKind.REMINDER]
    assert form["kind"].value() == "reminder"
    assert form["subject"].value() == str(subject)
    assert form["body"].value() == str(body)
    # An unknown kind in the address falls back to the invitation.
    response = client.get(new_url(cast.program, "nonsense"))
    assert response.context["form"]["kind"].value() == "invitation"


def test_staff_save_a_template_audited_without_its_text(client, cast):
    client.force_login(cast.staff)
    response = client.post(new_url(cast.program), form_data(language="ar"))
    assert response.status_code == 302 and response["Location"] == list_url(cast.program)
    template = MessageTemplate.objects.get()
    assert template.program == cast.program and template.language_id == "ar"
    assert template.updated_by == cast.staff
    event = AuditEvent.objects.get(action="message_template.create")
    assert event.actor == cast.staff and event.object_id == str(template.pk)
    assert event.data["program"] == cast.program.pk and event.data["language"] == "ar"
    assert "You are invited" not in str(event.data) and "Dear" not in str(event.data)

    response = client.post(edit_url(template), form_data(language="ar", body="Hi {{ workshop }}"))
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.body == "Hi {{ workshop }}"
    event = AuditEvent.objects.get(action="message_template.update")
    assert event.data["fields"] == ["body"]
    assert "Hi" not in str(event.data)

    response = client.post(delete_url(template))
    assert response.status_code == 302
    assert not MessageTemplate.objects.exists()
    assert AuditEvent.objects.filter(action="message_template.delete").count() == 1


@pytest.mark.parametrize(
    ("field", "text", "named"),
    [
        ("body", "Dear {{ participant_nam }}, see you {{ dates }}", "{{ participant_nam }}"),
        ("subject", "Invitation: {{ workshop_title }}", "{{ workshop_title }}"),
        ("body", "Hello {{participant_name}} {{ Venue }}", "{{ Venue }}"),
    ],
)
def test_unknown_placeholders_are_named_and_nothing_is_saved(client, cast, field, text, named):
    client.force_login(cast.staff)
    data = form_data(**{field: text})
    response = client.post(new_url(cast.program), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == [field]
    assert named in form.errors[field][0] and "Unknown placeholder" in form.errors[field][0]
    assert named in response.content.decode()
    # Nothing lost: what was typed is back in the form.
    assert form[field].value() == text and form["subject"].value() == data["subject"]
    assert not MessageTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="message_template").exists()


def test_placeholders_are_checked_for_the_kind_of_message(client, cast):
    """A cancellation has no RSVP link to offer; an action reminder no participant."""
    client.force_login(cast.staff)
    response = client.post(
        new_url(cast.program), form_data(kind="cancellation", body="Sorry. {{ rsvp_link }}")
    )
    assert "{{ rsvp_link }}" in response.context["form"].errors["body"][0]
    response = client.post(
        new_url(cast.program),
        form_data(kind="action_reminder", subject="{{ participant_name }}", body="{{ action }}"),
    )
    assert "{{ participant_name }}" in response.context["form"].errors["subject"][0]
    assert not MessageTemplate.objects.exists()


@pytest.mark.parametrize(
    "body",
    ["Dear {{ participant_name },", "Dear { participant_name }}", "Hello }} there", "{{ }}"],
)
def test_stray_braces_are_refused(client, cast, body):
    client.force_login(cast.staff)
    response = client.post(new_url(cast.program), form_data(body=body))
    assert response.status_code == 200
    assert any("Braces" in error for error in response.context["form"].errors["body"])
    assert not MessageTemplate.objects.exists()


def test_editing_to_a_broken_placeholder_keeps_the_saved_wording(client, cast):
    template = make_template(cast.program)
    client.force_login(cast.staff)
    response = client.post(edit_url(template), form_data(body="Dear {{ name }}"))
    assert "{{ name }}" in response.context["form"].errors["body"][0]
    template.refresh_from_db()
    assert template.body.startswith("Dear {{ participant_name }}")


def test_a_second_template_for_the_same_language_is_a_form_error(client, cast):
    make_template(cast.program, lang="ar", subject=ARABIC_SUBJECT, body=ARABIC_BODY)
    make_template(cast.program)
    client.force_login(cast.staff)
    response = client.post(new_url(cast.program), form_data(language="ar"))
    assert response.status_code == 200
    assert response.context["form"].errors["language"] == [
        "There is already a template for “Invitation” in Arabic: edit that one instead."
    ]
    response = client.post(new_url(cast.program), form_data(language=""))
    assert response.status_code == 200
    assert (
        "already a program default for “Invitation”"
        in response.context["form"].errors["language"][0]
    )
    assert MessageTemplate.objects.count() == 2
    # The same language for another kind, or in another program, is fine.
    assert client.post(new_url(cast.program), form_data(kind="reminder")).status_code == 302
    client.force_login(cast.admin)
    assert client.post(new_url(cast.other_program), form_data(language="ar")).status_code == 302


def test_moving_a_template_onto_a_taken_language_is_a_form_error(client, cast):
    make_template(cast.program, lang="ar", subject=ARABIC_SUBJECT, body=ARABIC_BODY)
    french = make_template(cast.program, lang="fr")
    client.force_login(cast.staff)
    response = client.post(edit_url(french), form_data(language="ar"))
    assert response.status_code == 200 and "language" in response.context["form"].errors
    french.refresh_from_db()
    assert french.language_id == "fr"


def test_service_refuses_duplicates_and_unknown_placeholders(cast):
    from django.core.exceptions import ValidationError

    templates.template_save(
        program=cast.program,
        by=cast.staff,
        kind="invitation",
        language=None,
        subject="{{ workshop }}",
        body="{{ participant_name }}",
    )
    with pytest.raises(ValidationError) as error:
        templates.template_save(
            program=cast.program,
            by=cast.staff,
            kind="invitation",
            language=None,
            subject="{{ wrkshop }}",
            body="{{ participant_name }",
        )
    assert set(error.value.message_dict) == {"subject", "body", "language"}
    assert MessageTemplate.objects.count() == 1


# --- The preview ------------------------------------------------------------------------------


def test_preview_shows_filled_values_and_saves_nothing(client, cast):
    cast.workshop.title = "Famagusta water dialogue"
    cast.workshop.venue_name = "Ledra Palace"
    cast.workshop.save()
    client.force_login(cast.staff)
    data = form_data(preview="1")
    response = client.post(new_url(cast.program), data)
    assert response.status_code == 200
    assert_valid_page(response)
    preview = response.context["preview"]
    assert preview.subject == "You are invited: Famagusta water dialogue"
    assert "Dear Layla Haddad," in preview.text and "Ledra Palace" in preview.text
    assert compose.dates_line(cast.workshop) in preview.text
    assert "/rsvp/" in preview.text and "{{" not in preview.text
    page = response.content.decode()
    assert "Dear Layla Haddad," in page and "<p>Dear Layla Haddad,</p>" in str(preview.html)
    assert 'href="http' in str(preview.html)  # the RSVP link is clickable, as in the email
    assert response.context["form"]["body"].value() == data["body"]
    assert not MessageTemplate.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="message_template").exists()


def test_preview_of_an_edit_changes_nothing(client, cast):
    template = make_template(cast.program)
    client.force_login(cast.staff)
    response = client.post(
        edit_url(template), form_data(subject="Draft {{ workshop }}", preview="1")
    )
    assert response.context["preview"].subject == f"Draft {cast.workshop.title}"
    template.refresh_from_db()
    assert template.subject == "Our invitation: {{ workshop }}"


def test_edit_page_opens_with_a_preview_of_the_saved_wording(client, cast):
    template = make_template(cast.program, lang="ar", subject=ARABIC_SUBJECT, body=ARABIC_BODY)
    client.force_login(cast.staff)
    response = client.get(edit_url(template))
    preview = response.context["preview"]
    assert preview.language == "ar" and preview.direction == "rtl"
    assert preview.subject == f"دعوة: {cast.workshop.title}"
    assert 'dir="rtl"' in response.content.decode()


def test_preview_with_errors_shows_them_instead(client, cast):
    client.force_login(cast.staff)
    response = client.post(new_url(cast.program), form_data(body="{{ nope }}", preview="1"))
    assert response.context["preview"] is None
    assert "{{ nope }}" in response.context["form"].errors["body"][0]


def test_htmx_preview_answers_only_the_preview_panel(client, cast):
    client.force_login(cast.staff)
    response = client.post(
        new_url(cast.program), form_data(preview="1"), headers={"HX-Request": "true"}
    )
    content = response.content.decode()
    assert 'id="template-preview"' in content and "<html" not in content
    assert "Layla Haddad" in content
    response = client.post(
        new_url(cast.program),
        form_data(body="{{ nope }}", preview="1"),
        headers={"HX-Request": "true"},
    )
    assert "{{ nope }}" in response.content.decode()
    assert not MessageTemplate.objects.exists()


def test_preview_uses_a_sample_workshop_when_none_is_coming(client, cast):
    past = timezone.now() - timedelta(days=60)
    for workshop in (cast.workshop, cast.other_workshop):
        workshop.starts_at, workshop.ends_at = past, past + timedelta(days=1)
        workshop.save()
    factories.WorkshopFactory(program=cast.program, status=WorkshopStatus.CANCELLED)
    client.force_login(cast.staff)
    response = client.post(new_url(cast.program), form_data(preview="1"))
    preview = response.context["preview"]
    assert preview.sample_workshop and preview.workshop.pk is None
    assert "Home for Cooperation" in preview.text
    assert "a sample workshop" in response.content.decode()


def test_preview_in_discreet_mode_uses_the_code_name_and_hides_the_venue(client, cast):
    cast.program.discreet_mode = True
    cast.program.save()
    cast.workshop.code_name = "Garden meeting"
    cast.workshop.venue_name = "Ledra Palace"
    cast.workshop.save()
    client.force_login(cast.staff)
    response = client.post(new_url(cast.program), form_data(preview="1"))
    preview = response.context["preview"]
    assert preview.subject == "You are invited: Garden meeting"
    assert cast.workshop.title not in preview.text and "Ledra Palace" not in preview.text
    assert preview.venue_hidden
    # A reminder goes to people who accepted: they see the venue.
    response = client.post(new_url(cast.program), form_data(kind="reminder", preview="1"))
    assert "Ledra Palace" in response.context["preview"].text


def test_preview_fills_follow_up_and_action_reminder_placeholders(client, cast):
    client.force_login(cast.staff)
    for kind in ("follow_up", "action_reminder"):
        subject, body = templates.built_in_wording(kind).values()
        response = client.post(
            new_url(cast.program), form_data(kind=kind, subject=subject, body=body, preview="1")
        )
        preview = response.context["preview"]
        assert preview is not None, response.context["form"].errors
        assert "{{" not in preview.subject + preview.text
        assert "Layla Haddad" in preview.text
    assert "joint statement" in preview.text


# --- What goes out ----------------------------------------------------------------------------


def test_saved_templates_are_what_compose_renders_per_language(client, cast):
    client.force_login(cast.staff)
    assert (
        client.post(
            new_url(cast.program),
            form_data(language="ar", subject=ARABIC_SUBJECT, body=ARABIC_BODY),
        ).status_code
        == 302
    )
    assert client.post(new_url(cast.program), form_data()).status_code == 302

    arabic_reader = factories.ParticipantFactory(
        full_name="Rania Khalil", preferred_language=language("ar")
    )
    french_reader = factories.ParticipantFactory(
        full_name="Camille Martin", preferred_language=language("fr")
    )
    to_arabic = factories.ScheduledMessageFactory(
        invitation=factories.InvitationFactory(workshop=cast.workshop, participant=arabic_reader)
    )
    to_french = factories.ScheduledMessageFactory(
        invitation=factories.InvitationFactory(workshop=cast.workshop, participant=french_reader)
    )

    arabic = compose.render(to_arabic)
    assert arabic.subject == f"دعوة: {cast.workshop.title}"
    assert "عزيزتي Rania Khalil" in arabic.text
    assert arabic.language == "ar" and 'dir="rtl"' in arabic.html

    french = compose.render(to_french)  # no French template: the program default
    assert french.subject == f"You are invited: {cast.workshop.title}"
    assert french.text.startswith("Dear Camille Martin,")

    # Deleting the default leaves French readers with the built-in wording.
    MessageTemplate.objects.filter(language=None).delete()
    assert compose.render(to_french).subject != french.subject


# --- The Django admin -------------------------------------------------------------------------


def test_admin_refuses_unknown_placeholders_and_records_who_changed(client, cast):
    client.force_login(cast.admin)
    add = reverse("admin:workshops_messagetemplate_add")
    data = {
        "program": cast.program.pk,
        "kind": "reminder",
        "language": "",
        "subject": "Soon: {{ workshop }}",
        "body": "Dear {{ participant }}",
    }
    response = client.post(add, data)
    assert response.status_code == 200 and "{{ participant }}" in response.content.decode()
    assert not MessageTemplate.objects.exists()
    response = client.post(add, {**data, "body": "Dear {{ participant_name }}"})
    assert response.status_code == 302
    template = MessageTemplate.objects.get()
    assert template.updated_by == cast.admin
    assert AuditEvent.objects.filter(action="message_template.create").count() == 1


def test_admin_site_users_who_are_not_superusers_only_read(client, cast):
    from django.contrib.auth.models import Permission

    template = make_template(cast.program)
    reader = factories.UserFactory(username="desk", is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="workshops", codename__endswith="_messagetemplate"
        )
    )
    client.force_login(reader)
    change = reverse("admin:workshops_messagetemplate_change", args=[template.pk])
    assert client.get(change).status_code == 200
    assert client.post(change, {"subject": "x"}).status_code == 403
    assert client.get(reverse("admin:workshops_messagetemplate_add")).status_code == 403
    delete = reverse("admin:workshops_messagetemplate_delete", args=[template.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    template.refresh_from_db()
    assert template.subject == "Our invitation: {{ workshop }}"


# --- In a real browser ------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_write_a_template_with_a_live_preview(page, live_server, cast, screenshot):
    from tests.core.test_browser import sign_in

    cast.workshop.title = "Famagusta water dialogue"
    cast.workshop.venue_name = "Ledra Palace"
    cast.workshop.venue_city = "Nicosia"
    cast.workshop.save()
    make_template(cast.program, lang="ar", subject=ARABIC_SUBJECT, body=ARABIC_BODY)
    sign_in(page, live_server, "staff-user")
    page.goto(live_server.url + list_url(cast.program))
    page.get_by_role("heading", name="Message templates").wait_for()
    screenshot("message-templates-list")

    page.get_by_role("link", name="Write the program's own (Reminder)").click()
    page.get_by_role("heading", name="New message template").wait_for()
    assert page.get_by_label("Subject").input_value() == "Reminder: {{ workshop }}, {{ starts }}"
    page.get_by_label("Subject").fill("See you soon at {{ workshop }}")
    # The button posts the form: the page before it already had a preview (of the built-in
    # wording), so wait for the answer before reading it.
    with page.expect_navigation():
        page.get_by_role("button", name="Preview").click()
    subject = page.get_by_test_id("preview-subject")
    assert subject.inner_text() == "See you soon at Famagusta water dialogue"
    assert "Dear Layla Haddad," in page.get_by_test_id("preview-body").inner_text()
    assert not MessageTemplate.objects.filter(kind="reminder").exists()

    # Typing updates the preview without a click (htmx), and says what is wrong.
    page.get_by_label("Body").fill("Dear {{ participant_name }},\n\n{{ workshop }} at {{ venu }}")
    page.get_by_text("The preview appears once these are fixed").wait_for()
    page.get_by_label("Body").fill(
        "Dear {{ participant_name }},\n\nSee you at {{ workshop }}, {{ venue }}.\n\n{{ organiser }}"
    )
    page.get_by_test_id("preview-body").get_by_text("Ledra Palace", exact=False).wait_for()
    screenshot("message-template-edit-preview")

    page.get_by_role("button", name="Save template").click()
    page.get_by_text("Template saved").wait_for()
    saved = MessageTemplate.objects.get(kind="reminder")
    assert saved.subject == "See you soon at {{ workshop }}" and saved.language_id is None

    page.get_by_role("link", name="Edit").first.click()
    page.get_by_role("heading", name="Invitation template in Arabic").wait_for()
    assert page.get_by_test_id("preview-body").get_attribute("dir") == "rtl"
    screenshot("message-template-arabic")
    page.goto(live_server.url + reverse("workshops:edit", args=[cast.workshop.pk]))
    page.get_by_label("Reminders").fill("7x")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Not a reminder time: 7x").wait_for()
    screenshot("workshop-form-messages")
