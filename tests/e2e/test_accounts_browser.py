"""Signing in and out in a real browser: by mouse, by keyboard alone, and on a phone."""

import pytest
from playwright.sync_api import expect

from tests.e2e import (
    assert_focus_visible,
    assert_no_horizontal_scroll,
    check_after,
    tab_to,
    visit,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_change_password_page_and_errors_pass_axe(page, live_server, user):
    visit(page, "/account/sign-in")

    # A wrong password shows the error summary; that state is checked too.
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill("not the right password")
    check_after(page, lambda: page.get_by_role("button", name="Sign in").click(), status=401)
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()

    page.get_by_label("Password").fill(PASSWORD)
    check_after(page, lambda: page.get_by_role("button", name="Sign in").click())
    assert page.url == f"{live_server.url}/learn/"  # a learner's home is My learning
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    expect(page.get_by_text(f"Signed in as {user.name}")).to_be_visible()

    nav = page.get_by_role("navigation", name="Main")
    check_after(page, lambda: nav.get_by_role("link", name="Password").click())
    assert page.url == f"{live_server.url}/account/password"
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")

    visit(page, "/no-such-page", status=404)
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")


def test_sign_in_and_out_with_the_keyboard_alone(page, live_server, user):
    visit(page, "/account/sign-in")

    # The first Tab stop is the skip link, hidden until it has focus.
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).not_to_be_in_viewport()
    tab_to(page, "Skip to main content", max_presses=1)
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    tab_to(page, "Email address", max_presses=1)
    page.keyboard.type(user.email)
    tab_to(page, "Password", max_presses=1)
    page.keyboard.type(PASSWORD)
    check_after(page, lambda: page.keyboard.press("Enter"))
    # The browser carries the #main fragment across the sign-in redirect.
    assert page.url.removesuffix("#main") == f"{live_server.url}/learn/"
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")

    stops = tab_to(page, page.get_by_role("button", name="Sign out"))
    assert stops[0] == 'a "Skip to main content"', stops
    assert_focus_visible(page)
    check_after(page, lambda: page.keyboard.press("Enter"))
    assert page.url == f"{live_server.url}/account/sign-in"
    expect(page.get_by_role("status")).to_have_text("You have signed out.")


def test_sign_in_page_fits_a_small_phone(page):
    page.set_viewport_size({"width": 375, "height": 667})
    visit(page, "/account/sign-in")
    assert_no_horizontal_scroll(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
