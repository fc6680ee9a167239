"""The delegation builder: bulk add with the contact rules, the waitlist, the balance panel."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from participants.models import ConsentScope
from tests import factories
from tests.factories import sector
from workshops.models import Invitation, InvitationStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def sides(cast):
    greek = factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot")
    turkish = factories.CommunityFactory(name="Turkish Cypriot", slug="turkish-cypriot")
    cast.program.communities.set([greek, turkish])
    cast.program.target_sectors.set([sector("academic"), sector("religious")])
    return greek, turkish


def add(client, workshop, people, query=""):
    return client.post(
        reverse("workshops:delegation_add", args=[workshop.pk]),
        {"participant": [p.pk for p in people], "query": query},
        follow=True,
    )


def test_staff_add_people_in_bulk_and_see_the_balance(client, cast, sides):
    greek, turkish = sides
    people = [factories.ParticipantFactory(community=greek) for _ in range(3)]
    people.append(factories.ParticipantFactory(community=turkish))
    client.force_login(cast.staff)
    response = add(client, cast.workshop, people, query=f"community={greek.pk}")
    assert response.redirect_chain[-1][0].endswith(f"?community={greek.pk}")
    html = response.content.decode()
    assert "4 people added to the invite list." in html
    assert Invitation.objects.filter(workshop=cast.workshop, status="draft").count() == 4
    # 75 % against 25 %: 50 points apart, more than the program's 10.
    assert "Communities are unbalanced: Greek Cypriot 75 %, Turkish Cypriot 25 %" in html
    assert "No one yet from these target sectors: Religious." in html
    event = AuditEvent.objects.get(action="workshop.delegation.add")
    assert event.data == {"added": 4, "waitlisted": 0}


def test_people_who_may_not_be_contacted_are_refused_with_the_reason(client, cast, sides):
    blocked = factories.ParticipantFactory(
        full_name="Hasan Demir", do_not_contact=True, do_not_contact_reason="asked us in 2025"
    )
    withdrew = factories.ParticipantFactory(full_name="Ayşe Kaya")
    factories.ConsentRecordFactory(
        participant=withdrew,
        scope=ConsentScope.CONTACT,
        granted=False,
        given_on=timezone.localdate(),
    )
    fine = factories.ParticipantFactory(full_name="Maria Georgiou")
    client.force_login(cast.staff)
    page = client.get(reverse("workshops:delegation", args=[cast.workshop.pk])).content.decode()
    assert "Marked do not contact: asked us in 2025." in page
    assert "Withdrew consent to be contacted on" in page
    assert f'name="participant" value="{blocked.pk}"' not in page
    assert f'name="participant" value="{fine.pk}"' in page
    # Even a forged form cannot add them.
    html = add(client, cast.workshop, [blocked, withdrew, fine]).content.decode()
    assert "Hasan Demir cannot be invited: Marked do not contact: asked us in 2025." in html
    assert "Ayşe Kaya cannot be invited: Withdrew consent" in html
    assert list(Invitation.objects.values_list("participant", flat=True)) == [fine.pk]


def test_beyond_capacity_people_go_to_the_waitlist_and_move_up(client, cast, sides):
    cast.workshop.capacity = 2
    cast.workshop.save()
    people = [factories.ParticipantFactory() for _ in range(4)]
    client.force_login(cast.staff)
    html = add(client, cast.workshop, people).content.decode()
    assert "2 people added" in html and "2 people went to the waitlist" in html
    assert "Full: further invitees go to the waitlist." in html
    html = add(client, cast.workshop, people[:1]).content.decode()
    assert "1 person was already on the list." in html
    assert Invitation.objects.count() == 4
    first = Invitation.objects.filter(status=InvitationStatus.DRAFT).first()
    waiting = (
        Invitation.objects.filter(status=InvitationStatus.WAITLISTED)
        .order_by("created_at", "pk")
        .first()
    )
    html = client.post(
        reverse("workshops:delegation_remove", args=[cast.workshop.pk]),
        {"invitation": first.pk},
        follow=True,
    ).content.decode()
    assert "moved up from the waitlist" in html
    waiting.refresh_from_db()
    assert waiting.status == InvitationStatus.DRAFT
    assert Invitation.objects.filter(status=InvitationStatus.DRAFT).count() == 2


def test_invited_people_are_withdrawn_not_removed(client, cast, sides):
    invitation = factories.InvitationFactory(
        workshop=cast.workshop, status=InvitationStatus.INVITED
    )
    client.force_login(cast.staff)
    html = client.post(
        reverse("workshops:delegation_remove", args=[cast.workshop.pk]),
        {"invitation": invitation.pk},
        follow=True,
    ).content.decode()
    assert "already invited" in html
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_search_and_filters_narrow_the_candidates(client, cast, sides):
    greek, turkish = sides
    factories.ParticipantFactory(full_name="Andreas Charalambous", community=greek)
    factories.ParticipantFactory(full_name="Mehmet Yilmaz", community=turkish)
    client.force_login(cast.staff)
    url = reverse("workshops:delegation", args=[cast.workshop.pk])
    html = client.get(url, {"community": turkish.pk}).content.decode()
    assert "Mehmet Yilmaz" in html and "Andreas Charalambous" not in html
    html = client.get(url, {"q": "Charalamb"}).content.decode()
    assert "Andreas Charalambous" in html and "Mehmet Yilmaz" not in html


@pytest.mark.parametrize(
    ("role", "expected"),
    [("facilitator", 403), ("observer", 403), ("other_staff", 404), ("outsider", 404)],
)
def test_only_programme_staff_build_delegations(client, cast, role, expected):
    person = factories.ParticipantFactory()
    client.force_login(getattr(cast, role))
    assert (
        client.get(reverse("workshops:delegation", args=[cast.workshop.pk])).status_code == expected
    )
    response = client.post(
        reverse("workshops:delegation_add", args=[cast.workshop.pk]), {"participant": [person.pk]}
    )
    assert response.status_code == expected
    assert not Invitation.objects.exists()


def test_an_invitation_of_another_workshop_is_not_reachable(client, cast):
    theirs = factories.InvitationFactory(workshop=cast.other_workshop)
    client.force_login(cast.staff)
    url = reverse("workshops:delegation_remove", args=[cast.workshop.pk])
    assert client.post(url, {"invitation": theirs.pk}).status_code == 404
    assert client.post(url, {"invitation": "not-a-number"}).status_code == 404
    assert Invitation.objects.filter(pk=theirs.pk).exists()


def count_queries(client, url) -> int:
    client.get(url)  # warm the caches (e.g. the registry's countries)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["workshops:detail", "workshops:delegation"])
def test_query_count_is_the_same_with_10_and_300_invitees(client, cast, sides, name):
    greek, turkish = sides
    client.force_login(cast.staff)
    url = reverse(name, args=[cast.workshop.pk])
    people = factories.ParticipantFactory.create_batch(300, community=greek)
    factories.SessionFactory(workshop=cast.workshop)
    Invitation.objects.bulk_create(
        Invitation(workshop=cast.workshop, participant=p) for p in people[:10]
    )
    few = count_queries(client, url)
    Invitation.objects.bulk_create(
        Invitation(workshop=cast.workshop, participant=p) for p in people[10:]
    )
    assert count_queries(client, url) == few


def test_candidates_page_without_counting_the_whole_registry(client, cast, sides):
    greek, _ = sides
    for i in range(30):
        factories.ParticipantFactory(full_name=f"Candidate {i:02d}", community=greek)
    client.force_login(cast.staff)
    url = reverse("workshops:delegation", args=[cast.workshop.pk])
    first = client.get(url, {"community": greek.pk}).content.decode()
    assert "People 1–25" in first and "Candidate 24" in first and "Candidate 25" not in first
    assert f"community={greek.pk}&amp;page=2" in first
    second = client.get(url, {"community": greek.pk, "page": 2}).content.decode()
    assert "People 26–30" in second and "Candidate 29" in second
    assert "more on the next page" not in second
    # A checked community stays checked across pages.
    assert re.search(rf'name="community" value="{greek.pk}" id="id_community_\d+" checked', second)
    assert client.get(url, {"page": "nonsense"}).status_code == 200
