"""The registry list: who may use it, filters in the URL, sorting, paging, query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import ConsentScope, Language, RiskLevel, Tag, Track
from tests import factories
from tests.factories import sector
from tests.html import assert_valid_page

pytestmark = pytest.mark.django_db
LIST = reverse("participants:list")


def names(response) -> list[str]:
    return [p.full_name for p in response.context["page"].object_list]


@pytest.fixture
def registry(cast):
    greek = factories.CommunityFactory(name="Greek Cypriot", slug="greek-cypriot")
    turkish = factories.CommunityFactory(name="Turkish Cypriot", slug="turkish-cypriot")
    people = {
        "eleni": factories.ParticipantFactory(
            full_name="Eleni Georgiou", community=greek, sector=sector("media"), country="CY",
            organisation="Politis newspaper",
        ),
        "mehmet": factories.ParticipantFactory(
            full_name="Mehmet Yilmaz", community=turkish, sector=sector("business"),
            risk_level=RiskLevel.HIGH, organisation="Chamber of Commerce",
        ),
        "sevgul": factories.ParticipantFactory(
            full_name="Sevgül Uludağ", community=turkish, sector=sector("media"),
            do_not_contact=True, do_not_contact_reason="asked", organisation="Yenidüzen",
        ),
    }  # fmt: skip
    factories.InvitationFactory(workshop=cast.workshop, participant=people["eleni"])
    return people


@pytest.mark.parametrize("role", ["admin", "staff", "other_staff"])
def test_admins_and_staff_list_the_whole_registry(client, cast, registry, role):
    client.force_login(getattr(cast, role))
    response = client.get(LIST)
    assert response.status_code == 200
    assert sorted(names(response)) == sorted(p.full_name for p in registry.values())
    assert_valid_page(response)


def test_facilitators_list_only_their_invitees(client, cast, registry):
    client.force_login(cast.facilitator)
    assert names(client.get(LIST)) == ["Eleni Georgiou"]
    client.force_login(cast.other_facilitator)
    assert names(client.get(LIST)) == []


@pytest.mark.parametrize("role", ["observer", "outsider"])
def test_observers_and_outsiders_may_not_list_people(client, cast, registry, role):
    client.force_login(getattr(cast, role))
    assert client.get(LIST).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(LIST)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_navigation_shows_participants_to_those_who_may_list_them(client, cast):
    for role, shown in [
        ("admin", True),
        ("staff", True),
        ("facilitator", True),
        ("observer", False),
    ]:
        client.force_login(getattr(cast, role))
        assert (LIST in client.get(reverse("home")).content.decode()) is shown, role


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"sector": "__media__"}, ["Eleni Georgiou", "Sevgül Uludağ"]),
        ({"community": "__turkish__"}, ["Mehmet Yilmaz", "Sevgül Uludağ"]),
        ({"country": "CY"}, ["Eleni Georgiou"]),
        ({"organisation": "chamber"}, ["Mehmet Yilmaz"]),
        ({"risk_level": "high"}, ["Mehmet Yilmaz"]),
        ({"do_not_contact": "true"}, ["Sevgül Uludağ"]),
        ({"q": "sevgul uludag"}, ["Sevgül Uludağ"]),
        ({"q": "Yilmaz", "sector": "__media__"}, []),
    ],
)
def test_filters_narrow_the_list(client, cast, registry, params, expected):
    media, turkish = sector("media"), registry["mehmet"].community
    params = {
        key: {"__media__": media.pk, "__turkish__": turkish.pk}.get(value, value)
        for key, value in params.items()
    }
    client.force_login(cast.staff)
    response = client.get(LIST, params)
    assert sorted(names(response)) == expected
    assert response.context["filter"].active_count == len(params)


def test_language_track_and_tag_filters(client, cast, registry):
    greek = Language.objects.get(code="el")
    registry["eleni"].languages.add(greek, Language.objects.get(code="en"))
    registry["mehmet"].track = Track.objects.get(number=3)
    registry["mehmet"].save()
    alumni = Tag.objects.create(name="alumni 2025")
    registry["sevgul"].tags.add(alumni, Tag.objects.create(name="speaker pool"))
    client.force_login(cast.staff)
    assert names(client.get(LIST, {"language": "el"})) == ["Eleni Georgiou"]
    assert names(client.get(LIST, {"track": registry["mehmet"].track.pk})) == ["Mehmet Yilmaz"]
    both_tags = {"tags": [t.pk for t in Tag.objects.all()]}
    assert names(client.get(LIST, both_tags)) == ["Sevgül Uludağ"]  # once, not twice


def test_consent_state_filter_uses_the_latest_record(client, cast, registry):
    today = timezone.localdate()
    factories.ConsentRecordFactory(participant=registry["eleni"], given_on=today)
    factories.ConsentRecordFactory(
        participant=registry["mehmet"], given_on=today - timedelta(days=9)
    )
    factories.ConsentRecordFactory(participant=registry["mehmet"], granted=False, given_on=today)
    factories.ConsentRecordFactory(
        participant=registry["sevgul"], scope=ConsentScope.PHOTOS, given_on=today
    )
    client.force_login(cast.staff)
    assert names(client.get(LIST, {"consent": "given"})) == ["Eleni Georgiou"]
    assert names(client.get(LIST, {"consent": "withdrawn"})) == ["Mehmet Yilmaz"]
    assert names(client.get(LIST, {"consent": "none"})) == ["Sevgül Uludağ"]


def test_sorting(client, cast, registry):
    client.force_login(cast.staff)
    assert names(client.get(LIST)) == ["Eleni Georgiou", "Mehmet Yilmaz", "Sevgül Uludağ"]
    assert names(client.get(LIST, {"sort": "-name"}))[0] == "Sevgül Uludağ"
    assert names(client.get(LIST, {"sort": "organisation"}))[0] == "Mehmet Yilmaz"


def test_erased_people_are_not_listed(client, cast, registry):
    registry["eleni"].erased_at = timezone.now()
    registry["eleni"].save()
    client.force_login(cast.staff)
    assert "Eleni Georgiou" not in names(client.get(LIST))


def test_pages_keep_the_filters(client, cast):
    media = sector("media")
    factories.ParticipantFactory.create_batch(55, sector=media)
    factories.ParticipantFactory(sector=sector("business"))
    client.force_login(cast.staff)
    response = client.get(LIST, {"sector": media.pk})
    assert response.context["page"].paginator.count == 55
    page = response.content.decode()
    assert f"sector={media.pk}&amp;page=2" in page
    second = client.get(LIST, {"sector": media.pk, "page": 2})
    assert len(second.context["page"].object_list) == 5


def test_htmx_requests_get_only_the_results(client, cast, registry):
    client.force_login(cast.staff)
    response = client.get(LIST, {"q": "Eleni"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Eleni Georgiou" in body and "<html" not in body and "participant-filters" not in body


def test_bad_filter_values_are_reported_not_fatal(client, cast, registry):
    client.force_login(cast.staff)
    response = client.get(LIST, {"risk_level": "extreme", "sector": "not-a-number"})
    assert response.status_code == 200
    assert "were not understood" in response.content.decode()


def test_query_count_is_the_same_for_5_and_60_people(client, cast, django_assert_num_queries):
    greek = Language.objects.get(code="el")
    for _ in range(5):
        factories.ParticipantFactory().languages.add(greek)
    client.force_login(cast.staff)
    client.get(LIST)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, {"q": "a", "sort": "name"})
    for _ in range(55):
        factories.ParticipantFactory().languages.add(greek)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(LIST, {"q": "a", "sort": "name"})
    assert len(response.context["page"].object_list) == 50
