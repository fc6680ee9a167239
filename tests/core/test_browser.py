"""Sign in, look around and sign out in a real browser."""

import pytest

from tests.conftest import new_page
from tests.factories import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, live_server, username: str, password: str = DEMO_PASSWORD) -> None:
    """Type the password, and for a user who owes a second factor (every admin) a real
    code from their device's key, as their phone would show it (see tests/conftest.py).

    Returns once the answer to the form has loaded: a click does not always wait for the
    navigation a form post starts, and a ``page.goto`` made before it was over would cut
    the sign-in short (no session cookie)."""
    from core.models import User
    from core.two_factor import required_for
    from tests.conftest import totp_code, verified_device

    user = User.objects.filter(username=username).first()
    device = None
    if user is not None and user.check_password(password):
        if required_for(user):
            device = verified_device(user)
        else:
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    page.goto(f"{live_server.url}/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if device is not None:
        page.wait_for_url("**/accounts/two-factor/verify/**")
        page.get_by_label("Code").fill(totp_code(device))
        page.get_by_role("button", name="Verify").click()
        page.wait_for_url(lambda url: "/accounts/two-factor/" not in url)


def test_wrong_password_keeps_the_username_and_says_why(page, live_server, cast, screenshot):
    sign_in(page, live_server, "staff-user", "not-the-password")
    page.get_by_role("alert").wait_for()
    assert "correct username and password" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Username").input_value() == "staff-user"
    screenshot("login-error")


def test_staff_signs_in_sees_home_and_signs_out(page, live_server, cast, screenshot):
    sign_in(page, live_server, "staff-user")
    page.get_by_role("heading", name="Your programs").wait_for()
    assert page.title() == "Home · Olive Branch"
    programs = page.get_by_role("region", name="Your programs")
    assert cast.program.name in programs.inner_text()
    assert cast.other_program.name not in page.content()
    # Bootstrap's JavaScript and CSS load from static/ (a broken asset would leave the
    # dropdown closed and the navbar unstyled).
    navbar_colour = page.locator("header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert navbar_colour == "rgb(74, 93, 35)"
    screenshot("home-staff")
    page.get_by_role("button", name=cast.staff.get_full_name()).click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("heading", name="Sign in to Olive Branch").wait_for()
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url


def test_admin_sees_the_admin_navigation(page, live_server, cast, screenshot):
    sign_in(page, live_server, "admin-user")
    # Every link on one row at 1280 px: the admin's own pages are one menu.
    tops = {
        box["y"]
        for box in page.locator("#main-nav .nav-link").evaluate_all(
            "links => links.map(link => link.getBoundingClientRect().toJSON())"
        )
    }
    assert len(tops) == 1, tops
    assert not page.get_by_role("link", name="Audit log").is_visible()
    page.get_by_role("button", name="Admin").click()
    page.get_by_role("link", name="Audit log").wait_for()
    assert page.get_by_role("link", name="Retention").is_visible()
    page.get_by_role("link", name="Users and roles").click()
    page.wait_for_url("**/admin/core/user/**")
    assert "staff-user" in page.content()


def test_home_on_a_phone_collapses_the_navigation(browser, live_server, cast, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = new_page(context)
    try:
        sign_in(page, live_server, "facilitator-user")
        page.get_by_role("heading", name="Upcoming workshops").wait_for()
        assert not page.get_by_role("link", name="Home").is_visible()
        page.get_by_role("button", name="Toggle navigation").click()
        page.get_by_role("link", name="Home").wait_for(state="visible")
        screenshot("home-phone", of=page)
    finally:
        context.close()
