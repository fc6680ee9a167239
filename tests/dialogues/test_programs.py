"""Program pages: list, page, create/edit, archive and the team, for every role."""

import pytest
from django.urls import reverse

from core.models import AuditEvent
from dialogues.models import Program, ProgramMembership, ProgramRole
from tests import factories
from tests.factories import sector
from tests.html import assert_valid_page

pytestmark = pytest.mark.django_db

ROLES_SEEING_PROGRAM = ["admin", "staff", "facilitator", "other_facilitator", "observer"]
ROLES_NOT_SEEING_PROGRAM = ["other_staff", "outsider"]


def program_data(**overrides) -> dict:
    greek = factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot")
    turkish = factories.CommunityFactory(name="Turkish Cypriot", slug="turkish-cypriot")
    data = {
        "name": "Cyprus youth dialogue 2027",
        "conflict_context": "Divided island since 1974.",
        "communities": [greek.pk, turkish.pk],
        "track_level": "track_2",
        "target_sectors": [sector("academic").pk],
        "starts_on": "2027-01-10",
        "ends_on": "2027-12-20",
        "status": "planning",
        "objectives": "Build trust between young leaders.",
        "balance_tolerance": 10,
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ROLES_SEEING_PROGRAM)
def test_roles_of_a_program_see_it_in_the_list_and_its_page(client, cast, role):
    client.force_login(getattr(cast, role))
    listing = client.get(reverse("dialogues:list"))
    assert_valid_page(listing)
    assert cast.program.name in listing.content.decode()
    assert cast.other_program.name not in listing.content.decode() or role == "admin"
    page = client.get(reverse("dialogues:detail", args=[cast.program.pk]))
    assert page.status_code == 200
    assert_valid_page(page)


@pytest.mark.parametrize("role", ROLES_NOT_SEEING_PROGRAM)
def test_other_users_get_404_for_the_program(client, cast, role):
    client.force_login(getattr(cast, role))
    for name in ("detail", "edit", "team"):
        assert client.get(reverse(f"dialogues:{name}", args=[cast.program.pk])).status_code == 404
    assert client.post(reverse("dialogues:archive", args=[cast.program.pk])).status_code == 404


@pytest.mark.parametrize("role", ["facilitator", "observer"])
def test_facilitators_and_observers_may_not_change_it(client, cast, role):
    client.force_login(getattr(cast, role))
    for name in ("edit", "team"):
        assert client.get(reverse(f"dialogues:{name}", args=[cast.program.pk])).status_code == 403
    assert client.post(reverse("dialogues:archive", args=[cast.program.pk])).status_code == 403
    assert client.get(reverse("dialogues:create")).status_code == 403
    page = client.get(reverse("dialogues:detail", args=[cast.program.pk])).content.decode()
    assert reverse("dialogues:edit", args=[cast.program.pk]) not in page


def test_anonymous_visitors_are_sent_to_sign_in(client, cast):
    for url in (reverse("dialogues:list"), reverse("dialogues:detail", args=[cast.program.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_create_a_program_and_join_its_team(client, cast):
    client.force_login(cast.staff)
    response = client.post(reverse("dialogues:create"), program_data(), follow=True)
    program = Program.objects.get(name="Cyprus youth dialogue 2027")
    assert response.redirect_chain[-1][0] == reverse("dialogues:detail", args=[program.pk])
    assert program.slug == "cyprus-youth-dialogue-2027"
    assert program.communities.count() == 2
    assert ProgramMembership.objects.get(program=program).user == cast.staff
    assert AuditEvent.objects.filter(action="program.create", object_id=str(program.pk)).exists()
    # Same name again: a different slug, not an error.
    client.post(
        reverse("dialogues:create"),
        program_data(communities=list(program.communities.values_list("pk", flat=True))),
    )
    assert Program.objects.filter(slug="cyprus-youth-dialogue-2027-2").exists()


def test_bad_program_input_re_renders_with_errors_and_saves_nothing(client, cast):
    client.force_login(cast.admin)
    one_side = factories.CommunityFactory()
    response = client.post(
        reverse("dialogues:create"),
        program_data(communities=[one_side.pk], ends_on="2026-01-01", name=""),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "at least two communities" in html
    assert "cannot end before it starts" in html
    assert "This field is required" in html
    assert not Program.objects.filter(name="").exists()
    assert Program.objects.count() == 2


def test_edit_and_archive_and_restore(client, cast):
    client.force_login(cast.staff)
    data = program_data(name="Cyprus bi-communal dialogue (renamed)")
    response = client.post(reverse("dialogues:edit", args=[cast.program.pk]), data)
    assert response.status_code == 302
    cast.program.refresh_from_db()
    assert cast.program.name == "Cyprus bi-communal dialogue (renamed)"
    event = AuditEvent.objects.get(action="program.update")
    assert "name" in event.data["fields"] and "communities" in event.data["fields"]
    # The flash message names the program: read it on the page it was meant for.
    assert cast.program.name in client.get(response.url).content.decode()

    client.post(reverse("dialogues:archive", args=[cast.program.pk]))
    cast.program.refresh_from_db()
    assert cast.program.is_archived
    assert cast.program.name not in client.get(reverse("dialogues:list")).content.decode()
    archived = client.get(reverse("dialogues:list"), {"archived": "1"}).content.decode()
    assert cast.program.name in archived
    # Archived programs are read-only.
    response = client.get(reverse("dialogues:edit", args=[cast.program.pk]), follow=True)
    assert "restore it before changing it" in response.content.decode()
    client.post(reverse("dialogues:archive", args=[cast.program.pk]), {"archived": "0"})
    cast.program.refresh_from_db()
    assert not cast.program.is_archived


def test_list_filters_by_status(client, cast):
    client.force_login(cast.admin)
    cast.other_program.status = "active"
    cast.other_program.save()
    html = client.get(reverse("dialogues:list"), {"status": "active"}).content.decode()
    assert cast.other_program.name in html and cast.program.name not in html
    assert client.get(reverse("dialogues:list"), {"status": "nonsense"}).status_code == 200


def test_team_add_change_and_remove_keeping_one_programme_staff(client, cast):
    client.force_login(cast.staff)
    newcomer = factories.UserFactory(username="newcomer")
    url = reverse("dialogues:team", args=[cast.program.pk])
    assert_valid_page(client.get(url))
    client.post(url, {"user": newcomer.pk, "role": ProgramRole.OBSERVER})
    membership = ProgramMembership.objects.get(program=cast.program, user=newcomer)
    assert membership.role == ProgramRole.OBSERVER
    twice = client.post(url, {"user": newcomer.pk, "role": ProgramRole.MANAGER})
    assert twice.status_code == 400 and "already has a role" in twice.content.decode()

    change = reverse("dialogues:membership_change", args=[cast.program.pk, membership.pk])
    client.post(change, {"role": ProgramRole.FACILITATOR})
    membership.refresh_from_db()
    assert membership.role == ProgramRole.FACILITATOR

    mine = ProgramMembership.objects.get(program=cast.program, user=cast.staff)
    response = client.post(
        reverse("dialogues:membership_remove", args=[cast.program.pk, mine.pk]), follow=True
    )
    assert "at least one programme staff member" in response.content.decode()
    assert ProgramMembership.objects.filter(pk=mine.pk).exists()
    client.post(reverse("dialogues:membership_remove", args=[cast.program.pk, membership.pk]))
    assert not ProgramMembership.objects.filter(pk=membership.pk).exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"program.team.add", "program.team.change", "program.team.remove"} <= actions


def test_a_membership_of_another_program_is_not_reachable_by_id(client, cast):
    client.force_login(cast.staff)
    theirs = ProgramMembership.objects.get(program=cast.other_program, user=cast.other_staff)
    url = reverse("dialogues:membership_remove", args=[cast.program.pk, theirs.pk])
    assert client.post(url).status_code == 404
    assert ProgramMembership.objects.filter(pk=theirs.pk).exists()


def test_list_query_count_does_not_grow_with_programs(client, cast, django_assert_max_num_queries):
    client.force_login(cast.admin)
    client.get(reverse("dialogues:list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("dialogues:list"))
    for _ in range(15):
        program = factories.ProgramFactory()
        program.communities.add(factories.CommunityFactory())
        factories.WorkshopFactory(program=program)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("dialogues:list"))


def test_program_page_query_count_does_not_grow_with_workshops(client, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.staff)
    url = reverse("dialogues:detail", args=[cast.program.pk])

    def queries() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(20):
        workshop = factories.WorkshopFactory(program=cast.program)
        factories.SessionFactory(workshop=workshop)
        factories.InvitationFactory(workshop=workshop, status="accepted")
    assert queries() == few


@pytest.mark.parametrize("role", ["admin", "staff", "observer"])
def test_a_program_page_leads_to_its_notes_and_actions_and_they_open(client, cast, role):
    client.force_login(getattr(cast, role))
    html = client.get(reverse("dialogues:detail", args=[cast.program.pk])).content.decode()
    for name in ("workshops:program_notes", "workshops:program_actions"):
        url = reverse(name, args=[cast.program.pk])
        assert url in html
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(("role", "shown"), [("admin", True), ("staff", True), ("observer", False)])
def test_the_program_roster_export_is_linked_for_those_who_may_export(client, cast, role, shown):
    client.force_login(getattr(cast, role))
    html = client.get(reverse("dialogues:detail", args=[cast.program.pk])).content.decode()
    assert (reverse("workshops:program_roster_export", args=[cast.program.pk]) in html) is shown
