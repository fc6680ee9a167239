"""Sign-in, home page per role, password change, sign-out, error pages."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.factories import DEMO_PASSWORD
from tests.html import assert_valid_page
from workshops.models import ActionStatus, WorkshopStatus

pytestmark = pytest.mark.django_db

ROLES = ["admin", "staff", "facilitator", "observer", "outsider"]


def test_home_sends_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


def test_login_page_is_valid_html(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert_valid_page(response)


def test_login_with_good_credentials_lands_on_home(client, cast):
    response = client.post(
        reverse("login"), {"username": "staff-user", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert response.context["user"] == cast.staff


def test_login_with_wrong_password_rerenders_with_a_clear_error(client, cast):
    response = client.post(reverse("login"), {"username": "staff-user", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert response.context["form"]["username"].value() == "staff-user"
    assert "_auth_user_id" not in client.session
    assert_valid_page(response)


def test_signed_in_user_visiting_login_goes_home(client, cast):
    client.force_login(cast.staff)
    response = client.get(reverse("login"))
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("role", ROLES)
def test_home_renders_valid_html_for_every_role(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert_valid_page(response)


def _home(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_home_shows_each_role_only_its_programs(client, cast):
    for role in ["staff", "facilitator", "observer"]:
        page = _home(client, getattr(cast, role))
        assert cast.program.name in page
        assert cast.other_program.name not in page
    page = _home(client, cast.other_staff)
    assert cast.other_program.name in page and cast.program.name not in page
    admin_page = _home(client, cast.admin)
    assert cast.program.name in admin_page and cast.other_program.name in admin_page
    assert "not a member of any program" in _home(client, cast.outsider)


def test_home_shows_a_facilitator_only_the_workshops_they_run(client, cast):
    page = _home(client, cast.facilitator)
    assert cast.workshop.title in page
    assert cast.other_workshop.title not in page
    assert "you facilitate" in page
    staff_page = _home(client, cast.staff)
    assert cast.workshop.title in staff_page and cast.other_workshop.title in staff_page


def test_home_lists_only_upcoming_workshops_that_are_not_cancelled(client, cast):
    now = timezone.now()
    factories.WorkshopFactory(
        program=cast.program,
        title="Held last spring",
        starts_at=now - timedelta(days=90),
        ends_at=now - timedelta(days=88),
    )
    factories.WorkshopFactory(
        program=cast.program, title="Called off", status=WorkshopStatus.CANCELLED
    )
    factories.WorkshopFactory(
        program=cast.program,
        title="Running right now",
        starts_at=now - timedelta(hours=3),
        ends_at=now + timedelta(hours=5),
    )
    page = _home(client, cast.staff)
    assert "Running right now" in page
    assert "Held last spring" not in page
    assert "Called off" not in page


def test_home_lists_open_actions_the_user_may_see_own_first(client, cast):
    today = timezone.localdate()
    factories.FollowUpActionFactory(
        workshop=cast.workshop, description="Draft the joint statement", owner_user=cast.staff
    )
    factories.FollowUpActionFactory(
        workshop=cast.workshop,
        description="Book the interpreters",
        owner_user=cast.facilitator,
        due_on=today - timedelta(days=2),
    )
    factories.FollowUpActionFactory(
        workshop=cast.workshop,
        description="Send the thank-you letters",
        owner_user=cast.facilitator,
        status=ActionStatus.DONE,
    )
    factories.FollowUpActionFactory(
        workshop=factories.WorkshopFactory(program=cast.other_program),
        description="Secret elsewhere",
        owner_user=cast.other_staff,
    )
    page = _home(client, cast.facilitator)
    assert "Book the interpreters" in page and "overdue" in page
    assert "Draft the joint statement" in page
    assert page.index("Book the interpreters") < page.index("Draft the joint statement")
    assert "Send the thank-you letters" not in page
    assert "Secret elsewhere" not in page
    assert "Secret elsewhere" not in _home(client, cast.outsider)


def test_home_query_count_does_not_grow_with_rows(client, cast, django_assert_max_num_queries):
    for _ in range(15):
        program = factories.ProgramFactory()
        factories.MembershipFactory(program=program, user=cast.staff)
        program.communities.add(factories.CommunityFactory(), factories.CommunityFactory())
        workshop = factories.WorkshopFactory(program=program, facilitators=[cast.staff])
        factories.FollowUpActionFactory(workshop=workshop, owner_user=cast.staff)
    client.force_login(cast.staff)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert len(response.context["home"].programs) == 16


def test_navigation_fits_the_role(client, cast):
    admin_page = _home(client, cast.admin)
    assert reverse("audit_log") in admin_page
    assert reverse("retention") in admin_page
    assert reverse("admin:core_user_changelist") in admin_page
    for role in ["staff", "facilitator", "observer", "outsider"]:
        page = _home(client, getattr(cast, role))
        assert reverse("audit_log") not in page
        assert reverse("retention") not in page
        assert reverse("admin:index") not in page
        # Notes open to everyone with a role; what each sees is filtered on the page.
        assert (reverse("workshops:notes_all") in page) is (role != "outsider")
        assert reverse("workshops:actions_mine") in page
    assert "Programme staff" in _home(client, cast.staff)
    assert "Facilitator" in _home(client, cast.facilitator)
    assert "Observer" in _home(client, cast.observer)


def test_logout_needs_a_post(client, cast):
    client.force_login(cast.staff)
    assert client.get(reverse("logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session


def test_password_change_rejects_a_wrong_old_password(client, cast):
    client.force_login(cast.staff)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-longer-passphrase-2026",
            "new_password2": "a-longer-passphrase-2026",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()
    assert_valid_page(response)
    cast.staff.refresh_from_db()
    assert cast.staff.check_password(DEMO_PASSWORD)


def test_password_change_changes_the_password(client, cast):
    client.force_login(cast.staff)
    assert_valid_page(client.get(reverse("password_change")))
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "a-longer-passphrase-2026",
            "new_password2": "a-longer-passphrase-2026",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert_valid_page(response)
    cast.staff.refresh_from_db()
    assert cast.staff.check_password("a-longer-passphrase-2026")


def test_password_change_needs_sign_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_unknown_page_answers_a_valid_404(client, cast):
    client.force_login(cast.staff)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert_valid_page(response)


@pytest.mark.parametrize("template", ["400.html", "403.html", "404.html", "500.html"])
def test_error_pages_render_without_a_request(template):
    """500.html is rendered with no context at all when things are already broken."""
    from django.http import HttpResponse

    html = render_to_string(template)
    assert template[:3] in html
    assert_valid_page(HttpResponse(html))


def test_healthz_answers_ok_without_sign_in(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"


def test_a_participant_owning_an_action_is_named_only_to_those_who_may_see_people(client, cast):
    owner = factories.ParticipantFactory(full_name="Eleni Charalambous")
    factories.FollowUpActionFactory(
        workshop=cast.workshop,
        description="Share the oral-history archive",
        owner_user=None,
        owner_participant=owner,
    )
    assert "Eleni Charalambous" in _home(client, cast.staff)
    assert "Eleni Charalambous" in _home(client, cast.admin)
    observer_page = _home(client, cast.observer)
    assert "Share the oral-history archive" in observer_page
    assert "Eleni Charalambous" not in observer_page
    assert "a participant" in observer_page


def test_program_workshop_count_is_what_the_user_may_see(client, cast):
    client.force_login(cast.facilitator)
    facilitator_program = client.get(reverse("home")).context["home"].programs[0]
    assert facilitator_program.workshop_count == 1
    client.force_login(cast.staff)
    staff_program = client.get(reverse("home")).context["home"].programs[0]
    assert staff_program.workshop_count == 2


def test_preferences_set_the_time_zone_workshops_are_also_shown_in(client, cast):
    client.force_login(cast.staff)
    url = reverse("preferences")
    page = client.get(url)
    assert_valid_page(page)
    response = client.post(
        url,
        {
            "first_name": "Noa",
            "last_name": "Levi",
            "email": "noa@example.org",
            "language": "",
            "time_zone": "Europe/Oslo",
        },
    )
    assert response.status_code == 302
    cast.staff.refresh_from_db()
    assert cast.staff.time_zone == "Europe/Oslo" and cast.staff.first_name == "Noa"
    bad = client.post(url, {"time_zone": "Mars/Olympus", "email": "not-an-email"})
    assert bad.status_code == 200 and "Select a valid choice" in bad.content.decode()
    assert "Enter a valid email address" in bad.content.decode()
    cast.staff.refresh_from_db()
    assert cast.staff.time_zone == "Europe/Oslo"
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 302
