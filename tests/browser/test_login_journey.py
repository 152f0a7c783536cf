"""Every role signs in with a real browser; the login and home pages pass axe-core."""

import pytest

from tests.conftest import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("username", ["officer", "finance", "cabinet", "admin"])
def test_each_role_signs_in_and_sees_the_home_page(
    username, role_users, demo_programme, live_server, page, login_page
):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    assert_no_axe_violations(page)
    login_page(page, live_server, username)
    assert "Signed in as" in page.content()
    # Every role's home says what awaits them, with the dashboard and the programmes a click away.
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", level=1).inner_text().endswith("awaits you")
    name = "Digital and customer services transformation"
    assert page.get_by_role("link", name=name, exact=True).is_visible()
    assert page.get_by_role("link", name=f"Dashboard of {name}").is_visible()
    assert_no_axe_violations(page)


def test_the_accessibility_statement_is_public_and_passes_axe(db, live_server, page):
    page.goto(f"{live_server.url}/accessibility/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Accessibility statement")
    assert_no_axe_violations(page)
