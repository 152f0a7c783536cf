"""Every page each role can open, on a phone: at 320 and 375 CSS pixels wide the page itself
never scrolls sideways (`document.documentElement.scrollWidth` is at most the viewport's
width; a wide table scrolls inside its own container instead), and axe finds no WCAG 2.2 A/AA
violation at that width (target size included); no page asks for a date with the browser's
date picker (every date is GOV.UK's day, month and year boxes). The pages are the permission
matrix's, as in test_axe_every_page.py."""

import pytest
from django.test import Client

from tests.browser.test_axe_every_page import pages_for
from tests.conftest import assert_no_axe_violations
from tests.test_permission_matrix import _build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (320, 375)

# The outermost elements that reach past the viewport, for a message that says where to look.
WIDEST = """(limit) => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > limit + 0.5)
  .filter(el => !el.parentElement.closest(
    '.app-table-wrapper, .app-table-scroll, .app-figure__scroll, .govuk-skip-link'))
  .filter(el => el.parentElement.getBoundingClientRect().right <= limit + 0.5)
  .slice(0, 6)
  .map(el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${
      typeof el.className === 'string' ? el.className.trim().split(/\\s+/).join('.') : ''
    } right=${Math.round(el.getBoundingClientRect().right)}`)"""


def sign_in(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("role", ["officer", "finance", "cabinet", "admin"])
def test_no_page_scrolls_sideways_on_a_phone(role, live_server, page):
    world, _files = _build_world()
    sign_in(page, live_server, world.users[role])
    pages = pages_for(role, world.kwargs)
    assert len(pages) >= 20, pages
    failures = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for name, path in pages:
            response = page.goto(f"{live_server.url}{path}")
            if response is None or response.status != 200:
                failures.append(f"{width}px {name} {path}: HTTP {response and response.status}")
                continue
            if width == WIDTHS[0] and page.locator('input[type="date"]').count():
                failures.append(f"{name}: a browser date picker, not the GOV.UK date input")
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            viewport = page.evaluate("window.innerWidth")
            assert viewport == width
            if scroll_width > viewport:
                culprits = page.evaluate(WIDEST, viewport)
                failures.append(f"{width}px {name} {path}: {scroll_width}px wide; {culprits}")
            if width == WIDTHS[0]:
                try:
                    assert_no_axe_violations(page)
                except AssertionError as error:
                    failures.append(f"{width}px {name}: {error}")
    assert not failures, f"{role}: {len(failures)} failures:\n" + "\n".join(failures)
