"""Local details: set once, overridden per agency, substituted safely wherever content shows."""

import io
import shutil

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError

from signpost import local_details
from signpost.content.render import render, render_inline
from signpost.errors import Invalid, NotFound, NotPermitted
from signpost.extensions import db
from signpost.local_details import UNSET, set_values, substitute, values_for
from signpost.models import AuditEvent, LocalDetail, Role
from tests.factories import AgencyFactory, UserFactory
from tests.journey import FIXTURE, import_fixture
from tests.test_certificates import issued

# --- Substitution, without HTTP -------------------------------------------------------


def test_a_value_replaces_its_placeholder_escaped():
    html = render("Call the front door on {{local.front_door_phone}} today.")
    out = substitute(html, {"front_door_phone": "<script>alert(1)</script> & 0800"})
    assert (
        out
        == "<p>Call the front door on &lt;script&gt;alert(1)&lt;/script&gt; &amp; 0800 today.</p>\n"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('" onmouseover="alert(1)', "&#34; onmouseover=&#34;alert(1)"),
        ("{{ 7*7 }}", "{{ 7*7 }}"),  # never through Jinja: shown as typed
        ("{{local.lado}}", "{{local.lado}}"),  # a value is not expanded again
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ],
)
def test_hostile_values_are_only_text(value, expected):
    out = substitute(render("Ask {{local.safeguarding_lead}}."), {"safeguarding_lead": value})
    assert out == f"<p>Ask {expected}.</p>\n"


def test_a_value_inside_an_attribute_stays_inside_it():
    html = '<p><img src="/x.png" alt="Call {{local.lado}}"></p>'
    out = substitute(html, {"lado": '" onerror="alert(1)'})
    assert out == '<p><img src="/x.png" alt="Call &#34; onerror=&#34;alert(1)"></p>'


def test_the_fallback_is_shown_when_unset_and_not_escaped_twice():
    html = render("Ask {{local.lado|your lead & their deputy}}.")
    assert "your lead &amp; their deputy" in html  # as markdown-it stored it
    assert substitute(html, {}) == "<p>Ask your lead &amp; their deputy.</p>\n"
    assert substitute(html, {"lado": "  "}) == "<p>Ask your lead &amp; their deputy.</p>\n"
    assert substitute(html, {"lado": "A & B"}) == "<p>Ask A &amp; B.</p>\n"


def test_an_entity_encoded_bar_still_separates_the_fallback():
    html = "<p>Ask {{local.lado&#124;your lead}} or {{local.lado&#x7c;them}}.</p>"
    assert substitute(html, {}) == "<p>Ask your lead or them.</p>"


def test_unset_without_a_fallback_says_to_ask():
    out = substitute(render("Phone {{local.front_door_phone}}."), {})
    assert out == f"<p>Phone {UNSET}.</p>\n"
    assert "(ask your safeguarding lead)" in out


def test_unknown_keys_are_treated_as_unset():
    out = substitute("<p>{{local.nonsense|x}} {{local.nonsense}}</p>", values_for_nobody())
    assert out == f"<p>x {UNSET}</p>"


def values_for_nobody() -> dict[str, str]:
    return {key: "" for key in local_details.KEYS}


def test_a_fallback_with_markup_keeps_it_and_a_value_keeps_the_page_well_formed():
    html = render_inline("{{local.lado|*ask* them}}")
    assert html == "{{local.lado|<em>ask</em> them}}"
    assert substitute(html, {}) == "<em>ask</em> them"
    assert substitute(html, {"lado": "LADO"}) == "LADO<em></em>"


def test_only_a_web_address_becomes_a_link():
    html = render("Read {{local.escalation_policy_url|the policy}}.")
    link = substitute(html, {"escalation_policy_url": "https://example.org/escalation?a=1&b=2"})
    assert link == (
        '<p>Read <a href="https://example.org/escalation?a=1&amp;b=2" rel="noopener noreferrer">'
        "https://example.org/escalation?a=1&amp;b=2</a>.</p>\n"
    )
    for value in ("javascript:alert(1)", "www.example.org/policy", "data:text/html,<b>x</b>"):
        out = substitute(html, {"escalation_policy_url": value})
        assert "<a " not in out and "href" not in out, value
    # Not a link inside a link, and never in code.
    nested = render("[Our policy: {{local.escalation_policy_url}}](https://example.org/)")
    out = substitute(nested, {"escalation_policy_url": "https://example.org/p"})
    assert out.count("<a ") == 1 and "Our policy: https://example.org/p</a>" in out
    code = render("Write `{{local.lado}}` in content.")
    assert substitute(code, {"lado": "LADO"}) == code


def test_html_without_placeholders_is_returned_as_it_is():
    html = render("Nothing *local* here.")
    assert substitute(html, {"lado": "x"}) == html


# --- Storing values -------------------------------------------------------------------


@pytest.fixture
def people(app):
    a, b = AgencyFactory(name="Alpha Police"), AgencyFactory(name="Beta Health")
    return {
        "a": a,
        "b": b,
        "admin": UserFactory(agency=a, roles=[Role.ADMIN]),
        "lead_a": UserFactory(agency=a, roles=[Role.AGENCY_LEAD]),
        "learner_a": UserFactory(agency=a),
        "learner_b": UserFactory(agency=b),
    }


def test_an_agency_override_wins_for_its_staff_only(people):
    a, b = people["a"], people["b"]
    set_values(people["admin"], {"safeguarding_lead": "Partnership lead", "lado": "LADO desk"})
    set_values(people["lead_a"], {"safeguarding_lead": "Alpha's own lead"}, agency_id=a.id)
    db.session.commit()
    assert values_for(a.id) == {"safeguarding_lead": "Alpha's own lead", "lado": "LADO desk"}
    assert values_for(b.id) == {"safeguarding_lead": "Partnership lead", "lado": "LADO desk"}
    assert values_for(None) == values_for(b.id)


def test_who_may_set_what(people):
    a, b = people["a"], people["b"]
    with pytest.raises(NotPermitted):
        set_values(people["lead_a"], {"lado": "x"})  # the partnership's: admins only
    with pytest.raises(NotFound):
        set_values(people["lead_a"], {"lado": "x"}, agency_id=b.id)
    with pytest.raises(NotFound):
        set_values(people["learner_a"], {"lado": "x"}, agency_id=a.id)
    with pytest.raises(Invalid) as error:
        set_values(people["lead_a"], {"partnership_name": "Mine"}, agency_id=a.id)
    assert error.value.about == "partnership_name"
    with pytest.raises(Invalid):
        set_values(people["admin"], {"not_a_key": "x"})
    with pytest.raises(Invalid):
        set_values(people["admin"], {"lado": "x" * 501})
    assert set_values(people["admin"], {"lado": "x"}, agency_id=b.id) == ["lado"]


def test_changes_are_audited_and_blank_clears(people):
    admin = people["admin"]
    assert set_values(admin, {"lado": " LADO desk ", "nrm_referral": ""}, ip="10.0.0.1") == ["lado"]
    assert set_values(admin, {"lado": "LADO desk"}) == []  # unchanged: nothing recorded
    assert set_values(admin, {"lado": ""}) == ["lado"]
    db.session.commit()
    assert db.session.scalars(select(LocalDetail)).all() == []
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "local_detail_changed")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.detail["key"], e.detail["value"]) for e in events] == [
        ("lado", "LADO desk"),
        ("lado", None),
    ]
    assert events[0].actor_id == admin.id and events[0].ip == "10.0.0.1"


def test_the_partnership_has_one_value_per_key(people):
    db.session.add_all([LocalDetail(key="lado", value="a"), LocalDetail(key="lado", value="b")])
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def png(size=(40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 60, 120)).save(out, "PNG")
    return out.getvalue()


def test_the_logo_must_be_a_small_png_or_jpeg(people):
    admin = people["admin"]
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    for bad in (svg, b"\x89PNG\r\n\x1a\nnot really", b"", b"\xff\xd8\xff" + b"0" * 600_000):
        with pytest.raises(Invalid):
            local_details.set_logo(admin, bad)
    with pytest.raises(NotPermitted):
        local_details.set_logo(people["lead_a"], png())
    local_details.set_logo(admin, png())
    db.session.commit()
    assert local_details.branding().logo.startswith("data:image/png;base64,")


# --- Pages ----------------------------------------------------------------------------


@pytest.fixture
def local_course(app, tmp_path):
    """The test course, with placeholders in a lesson, the module intro and its content note."""
    root = tmp_path / "content"
    shutil.copytree(FIXTURE, root)
    lesson = root / "basics" / "01-first.md"
    lesson.write_text(
        lesson.read_text() + "\nCall {{local.safeguarding_lead|your manager}} first, "
        "then {{local.front_door_phone}}.\n"
    )
    module = root / "basics" / "module.md"
    text = module.read_text().replace(
        "Support: NSPCC", "Talk to {{local.safeguarding_lead}}. Support: NSPCC"
    )
    module.write_text(
        text + "\nRefer to {{local.exploitation_meeting|the exploitation meeting}}.\n"
    )
    import_fixture(root)
    db.session.commit()


def test_a_lesson_shows_the_readers_agency_value_with_one_query(
    client, auth, people, local_course, journey
):
    set_values(
        people["admin"], {"safeguarding_lead": "<b>Pat</b> on 0100", "front_door_phone": "0300 123"}
    )
    set_values(people["lead_a"], {"safeguarding_lead": "Alpha's Sam"}, agency_id=people["a"].id)
    db.session.commit()
    auth.login(people["learner_a"])
    journey.start("basics")
    html = client.get("/learn/modules/basics/lessons/first").get_data(as_text=True)
    assert "Call Alpha&#39;s Sam first, then 0300 123." in html
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        html = client.get("/learn/modules/basics").get_data(as_text=True)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert "Talk to Alpha&#39;s Sam." in html and "Refer to the exploitation meeting." in html
    assert sum("FROM local_detail" in s for s in statements) == 1  # cached for the request
    auth.logout()
    auth.login(people["learner_b"])
    journey.start("basics")
    html = client.get("/learn/modules/basics/lessons/first").get_data(as_text=True)
    assert "Call &lt;b&gt;Pat&lt;/b&gt; on 0100 first" in html
    assert "{{local." not in html


def test_an_anonymous_visitor_is_sent_to_sign_in_and_a_learner_is_refused(client, auth, people):
    response = client.get("/admin/local-details")
    assert response.status_code == 302 and "/account/sign-in" in response.headers["Location"]
    auth.login(people["learner_a"])
    assert client.get("/admin/local-details").status_code == 403
    assert client.get(f"/admin/local-details/agencies/{people['a'].id}").status_code == 403


def test_the_admin_form_saves_and_audits(client, auth, people):
    auth.login(people["admin"])
    page = client.get("/admin/local-details").get_data(as_text=True)
    assert 'for="front_door_hours"' in page and local_details.KEYS["lado"] in page
    response = client.submit(
        "/admin/local-details",
        {"partnership_name": "Northshire Safeguarding Children Partnership", "lado": "LADO desk"},
    )
    assert response.status_code == 302
    assert values_for(None) == {
        "partnership_name": "Northshire Safeguarding Children Partnership",
        "lado": "LADO desk",
    }
    keys = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "local_detail_changed")
    ).all()
    assert sorted(d["key"] for d in keys) == ["lado", "partnership_name"]
    response = client.submit("/admin/local-details", {"lado": "x" * 501})
    assert response.status_code == 400 and "500 characters or fewer" in response.get_data(
        as_text=True
    )


def test_a_lead_sets_only_their_own_agencys_details(client, auth, people):
    a, b = people["a"], people["b"]
    auth.login(people["lead_a"])
    response = client.get("/admin/local-details")
    assert response.headers["Location"].endswith(f"/admin/local-details/agencies/{a.id}")
    page = client.get(f"/admin/local-details/agencies/{a.id}").get_data(as_text=True)
    assert 'name="partnership_name"' not in page and 'name="safeguarding_lead"' in page
    assert client.get(f"/admin/local-details/agencies/{b.id}").status_code == 404
    token = client.csrf_token(f"/admin/local-details/agencies/{a.id}")
    response = client.post(
        f"/admin/local-details/agencies/{b.id}", data={"csrf_token": token, "lado": "x"}
    )
    assert response.status_code == 404
    response = client.submit(f"/admin/local-details/agencies/{a.id}", {"lado": "Alpha LADO"})
    assert response.status_code == 302
    assert values_for(a.id)["lado"] == "Alpha LADO" and "lado" not in values_for(b.id)
    logo = client.post("/admin/local-details/logo", data={"csrf_token": token})
    assert logo.status_code == 403  # the logo is the partnership's


def test_the_admin_uploads_a_logo(client, auth, people):
    auth.login(people["admin"])
    token = client.csrf_token("/admin/local-details")
    upload = {"logo-csrf_token": token, "logo-logo": (io.BytesIO(b"<svg/>"), "logo.svg")}
    response = client.post("/admin/local-details/logo", data=upload)
    assert response.status_code == 400 and "PNG or JPEG" in response.get_data(as_text=True)
    upload = {"logo-csrf_token": token, "logo-logo": (io.BytesIO(png()), "logo.png")}
    assert client.post("/admin/local-details/logo", data=upload).status_code == 302
    assert 'alt="The current partnership logo"' in client.get("/admin/local-details").get_data(
        as_text=True
    )
    assert db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "partnership_logo_changed")
    )


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join("".join(page.extract_text() for page in reader.pages).split())


def test_the_certificate_shows_the_partnership_name_and_logo(client, auth, people, course):
    set_values(people["admin"], {"partnership_name": "Northshire Safeguarding Partnership"})
    local_details.set_logo(people["admin"], png())
    cert = issued(people["learner_a"], course)
    auth.login(people["learner_a"])
    response = client.get(f"/certificates/{cert.id}.pdf")
    assert response.status_code == 200
    assert "Northshire Safeguarding Partnership" in pdf_text(response.data)
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1 and len(reader.pages[0].images) == 1  # the logo (QR is vector)
    assert "/OutputIntents" in reader.trailer["/Root"]  # still PDF/A, with the image
    assert reader.xmp_metadata.get_nodes_in_namespace("", "http://www.aiim.org/pdfa/ns/id/")


def test_the_board_report_shows_the_partnership_name(client, auth, people):
    set_values(people["admin"], {"partnership_name": "Northshire Safeguarding Partnership"})
    local_details.set_logo(people["admin"], png())
    auditor = UserFactory(agency=people["b"], roles=[Role.AUDITOR])
    auth.login(auditor)
    response = client.get("/reports/board-report.pdf")
    assert response.status_code == 200
    assert "Northshire Safeguarding Partnership" in pdf_text(response.data)
    assert len(PdfReader(io.BytesIO(response.data)).pages[0].images) == 1
