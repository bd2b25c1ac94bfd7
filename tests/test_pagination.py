"""One pagination for every long list, its page number always brought within range."""

import pytest
from sqlalchemy import select

from signpost.models import Agency, Role
from signpost.pagination import paginate
from tests.factories import AgencyFactory, UserFactory


@pytest.mark.parametrize(("asked", "shown"), [(None, 1), (-4, 1), (0, 1), (2, 2), (10**30, 3)])
def test_the_page_number_is_kept_within_the_pages_there_are(app, asked, shown):
    for n in range(25):
        AgencyFactory(name=f"Agency {n:02}")
    page = paginate(select(Agency).order_by(Agency.name), asked, 10)
    assert (page.page, page.pages, page.total) == (shown, 3, 25)
    assert len(page.items) == (5 if shown == 3 else 10)


def test_rows_of_several_columns_page_the_same_way(app):
    for n in range(12):
        AgencyFactory(name=f"Agency {n:02}")
    page = paginate(select(Agency.id, Agency.name).order_by(Agency.name), 2, 5, rows=True)
    assert [name for _, name in page.items] == [f"Agency {n:02}" for n in range(5, 10)]


@pytest.mark.parametrize("value", ["99999999999999999999999", "²", "-1", "", "x"])
def test_long_lists_answer_any_page_parameter(client, auth, value):
    auth.login(UserFactory(roles=[Role.ADMIN]))
    for url in ("/admin/people", "/admin/audit"):
        response = client.get(f"{url}?page={value}")
        assert response.status_code == 200, (url, value)
        assert "Page" not in response.get_data(as_text=True) or "of 1" in response.get_data(
            as_text=True
        )
