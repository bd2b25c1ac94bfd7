"""Old addresses, still in emails already sent, redirect permanently to where things live now."""

import pytest


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/sessions/", "/face-to-face/"),
        ("/sessions/12", "/face-to-face/12"),
        ("/sessions/12/attendance", "/face-to-face/12/attendance"),
        ("/sessions/new", "/face-to-face/new"),
        ("/sessions/external/", "/external/"),
        ("/sessions/external/new?email=a%40b.org", "/external/new?email=a%40b.org"),
        ("/sessions/external/3/evidence", "/external/3/evidence"),
        ("/assignments/unsubscribe/abc.def", "/reminders/unsubscribe/abc.def"),
    ],
)
def test_old_addresses_redirect_permanently(client, old, new):
    response = client.get(old)
    assert response.status_code == 308
    assert response.headers["Location"] == new


def test_a_form_posted_to_an_old_address_is_forwarded_with_its_method(client):
    response = client.post("/sessions/12/book", data={"csrf_token": "x"})
    assert response.status_code == 308  # the browser repeats the POST at the new address
    assert response.headers["Location"] == "/face-to-face/12/book"
