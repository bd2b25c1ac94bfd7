"""Face-to-face sessions: scheduling, booking (also under concurrency), attendance, scope."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from signpost import completion, face_to_face
from signpost.errors import DomainError
from signpost.extensions import db
from signpost.models import (
    AuditEvent,
    Booking,
    Certificate,
    CourseCompletion,
    Module,
    ModuleProgress,
    Role,
    TrainingSession,
    utcnow,
)
from tests.conftest import AuthActions
from tests.factories import AgencyFactory, UserFactory
from tests.html import Page
from tests.test_learn import finish_basics
from tests.test_learn_races import race

HOUR = dt.timedelta(hours=1)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def module(slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def make_session(*, course=None, module_=None, agency=None, capacity=10, starts_in=7 * 24 * HOUR):
    """A session (for the course unless a module is given), a week from now by default."""
    now = utcnow()
    session = TrainingSession(
        title="Working together on CSE",
        course_id=None if module_ else course.id,
        module_id=module_.id if module_ else None,
        agency_id=agency.id if agency else None,
        starts_at=now + starts_in,
        ends_at=now + starts_in + 3 * HOUR,
        place="Room 2, Civic Centre",
        capacity=capacity,
    )
    db.session.add(session)
    db.session.commit()
    return session


def begin(session: TrainingSession) -> None:
    """Move a session so that it started an hour ago."""
    session.starts_at = utcnow() - HOUR
    session.ends_at = utcnow() + HOUR
    db.session.commit()


def booked(session, *people) -> list[Booking]:
    rows = []
    for person in people:
        booking, _ = face_to_face.book(person, session)
        rows.append(booking)
    db.session.commit()
    return rows


@pytest.fixture
def agency(app):
    return AgencyFactory()


@pytest.fixture
def admin(app):
    return UserFactory(roles=[Role.ADMIN])


@pytest.fixture
def lead(agency):
    return UserFactory(roles=[Role.AGENCY_LEAD], agency=agency)


# Scheduling


def schedule_args(course, **changes):
    now = utcnow()
    args = dict(
        title="",
        course_id=course.id,
        module_id=None,
        agency_id=None,
        starts_at=now + 24 * HOUR,
        ends_at=now + 27 * HOUR,
        place="Room 2",
        capacity=12,
    )
    return {**args, **changes}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"ends_at_offset": -HOUR}, "ends_at", "must end after it starts"),
        ({"ends_at_offset": dt.timedelta(0)}, "ends_at", "must end after it starts"),
        ({"capacity": 0}, "capacity", "at least 1 place"),
        ({"capacity": -3}, "capacity", "at least 1 place"),
        ({"module": True}, "subject", "not both"),
        ({"course_id": None}, "subject", "one, not both"),
        ({"starts_at_offset": -2 * HOUR}, "starts_at", "start in the future"),
        ({"place": "  "}, "place", "where the session takes place"),
    ],
)
def test_scheduling_refuses_bad_sessions_and_saves_nothing(admin, course, changes, field, message):
    args = schedule_args(course)
    if "ends_at_offset" in changes:
        args["ends_at"] = args["starts_at"] + changes.pop("ends_at_offset")
    if "starts_at_offset" in changes:
        args["starts_at"] = utcnow() + changes.pop("starts_at_offset")
    if changes.pop("module", False):
        args["module_id"] = module("basics").id
    args.update(changes)
    with pytest.raises(DomainError, match=message) as refused:
        face_to_face.schedule(admin, **args)
    assert refused.value.about == field
    db.session.rollback()
    assert (
        count(TrainingSession) == 0
        and count(AuditEvent, AuditEvent.action == "session_scheduled") == 0
    )


def test_scheduling_a_session_for_a_module_or_a_course(admin, course):
    by_module = face_to_face.schedule(
        admin, **schedule_args(course, course_id=None, module_id=module("basics").id)
    )
    by_course = face_to_face.schedule(admin, **schedule_args(course, title="Starter day"))
    db.session.commit()
    assert (by_module.title, by_module.agency_id) == ("The basics", None)  # the module's title
    assert by_course.title == "Starter day" and by_course.course_id == course.id
    assert count(AuditEvent, AuditEvent.action == "session_scheduled") == 2


def test_a_leads_session_is_for_their_own_agency(lead, course, agency):
    session = face_to_face.schedule(lead, **schedule_args(course))
    assert session.agency_id == agency.id
    other = AgencyFactory()
    with pytest.raises(face_to_face.NotAllowed):
        face_to_face.schedule(lead, **schedule_args(course, agency_id=other.id))
    with pytest.raises(face_to_face.NotAllowed):
        face_to_face.schedule(UserFactory(), **schedule_args(course))


def test_the_schedule_form_takes_uk_times_and_shows_errors_by_their_fields(
    client, auth, lead, course
):
    auth.login(lead)
    html = client.get("/face-to-face/new").get_data(as_text=True)
    assert "Who can book" not in html and lead.agency.name in html  # a lead cannot choose
    data = {
        "subject": f"course:{course.id}",
        "starts_at": "2030-07-01T09:30",
        "ends_at": "2030-07-01T09:00",
        "place": "Room 2",
        "capacity": "0",
    }
    html = client.submit("/face-to-face/new", data).get_data(as_text=True)
    assert "There is a problem" in html
    assert ("#capacity", "Places must be between 1 and 1000") in Page(html).error_summary()
    assert count(TrainingSession) == 0

    page = Page(client.submit("/face-to-face/new", {**data, "capacity": "20"}))
    assert ("#ends_at", "The session must end after it starts.") in page.error_summary()
    assert count(TrainingSession) == 0

    response = client.submit(
        "/face-to-face/new", {**data, "capacity": "20", "ends_at": "2030-07-01T12:30"}
    )
    session = db.session.scalar(select(TrainingSession))
    assert response.headers["Location"] == f"/face-to-face/{session.id}"
    # 09:30 in July is British Summer Time: 08:30 UTC.
    assert session.starts_at == dt.datetime(2030, 7, 1, 8, 30)
    assert session.agency_id == lead.agency_id and session.capacity == 20
    html = client.get(f"/face-to-face/{session.id}").get_data(as_text=True)
    assert "Mon 1 July 2030, 09:30" in html and "Starter course" in html


def test_only_admins_and_leads_schedule(client, auth):
    auth.login(UserFactory())
    assert client.get("/face-to-face/new").status_code == 403


# Booking


def test_a_learner_books_and_cancels_through_the_pages(client, auth, course):
    session = make_session(course=course, capacity=2)
    person = UserFactory()
    auth.login(person)
    html = client.get("/face-to-face/").get_data(as_text=True)
    assert "Working together on CSE" in html and "2 of 2 left" in html
    page = f"/face-to-face/{session.id}"
    assert "Book a place" in client.get(page).get_data(as_text=True)

    response = client.submit(f"{page}/book", page=page)
    assert response.status_code == 303
    html = client.get(page).get_data(as_text=True)
    assert "You have booked a place on this session." in html and "Cancel my booking" in html
    assert count(Booking) == 1
    client.submit(f"{page}/book", page=page)  # a second click books nothing more
    assert count(Booking) == 1

    client.submit(f"{page}/cancel-booking", page=page)
    assert "Your booking has been cancelled." in client.get(page).get_data(as_text=True)
    assert count(Booking) == 0
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions.count("session_booked") == 1 and "booking_cancelled" in actions


def test_booking_is_refused_when_full_cancelled_or_started(course):
    first, second = UserFactory(), UserFactory()
    full = make_session(course=course, capacity=1)
    booked(full, first)
    with pytest.raises(face_to_face.FaceToFaceError, match="full"):
        face_to_face.book(second, full)

    called_off = make_session(course=course)
    called_off.cancelled_at = utcnow()
    with pytest.raises(face_to_face.FaceToFaceError, match="cancelled"):
        face_to_face.book(second, called_off)

    started = make_session(course=course, starts_in=-HOUR)
    with pytest.raises(face_to_face.FaceToFaceError, match="already started"):
        face_to_face.book(second, started)
    db.session.rollback()
    assert count(Booking) == 1


def test_a_booking_cannot_be_cancelled_once_the_session_starts(course):
    person = UserFactory()
    session = make_session(course=course)
    booked(session, person)
    begin(session)
    with pytest.raises(face_to_face.FaceToFaceError, match="has started"):
        face_to_face.cancel_booking(person, session)
    db.session.rollback()
    assert count(Booking) == 1


def test_a_learner_cannot_book_another_agencys_session(client, auth, course):
    person = UserFactory()
    theirs = make_session(course=course, agency=AgencyFactory())
    ours = make_session(course=course, agency=person.agency)
    with pytest.raises(face_to_face.NotAllowed):
        face_to_face.book(person, theirs)
    auth.login(person)
    html = client.get("/face-to-face/").get_data(as_text=True)
    assert f"/face-to-face/{ours.id}" in html and f"/face-to-face/{theirs.id}" not in html
    assert client.get(f"/face-to-face/{theirs.id}").status_code == 404
    token = client.csrf_token(f"/face-to-face/{ours.id}")
    response = client.post(f"/face-to-face/{theirs.id}/book", data={"csrf_token": token})
    assert response.status_code == 404
    assert count(Booking) == 0


@pytest.mark.parametrize("capacity, people", [(1, 6), (3, 8)])
def test_the_last_places_taken_at_once_never_overbook(app, course, capacity, people):
    """Everyone presses Book at the same moment; only `capacity` of them get a place."""
    session_id = make_session(course=course, capacity=capacity).id
    page = f"/face-to-face/{session_id}"
    clients, tokens = [], {}
    for _ in range(people):
        browser = app.test_client()
        AuthActions(browser).login(UserFactory())
        tokens[browser] = browser.csrf_token(page)
        clients.append(browser)

    results = race(clients, lambda c: c.post(f"{page}/book", data={"csrf_token": tokens[c]}))

    assert [status for status, _, _ in results] == [303] * people
    assert count(Booking, Booking.session_id == session_id) == capacity
    said = [c.get(page).get_data(as_text=True) for c in clients]
    assert sum("You have booked a place" in html for html in said) == capacity
    assert sum("Sorry, this session is full." in html for html in said) == people - capacity


# Attendance


def register(client, session, marks: dict) -> object:
    page = f"/face-to-face/{session.id}/attendance"
    data = {f"attended-{booking.id}": value for booking, value in marks.items()}
    return client.submit(page, data)


def test_attending_a_module_session_completes_that_module(client, auth, admin, course):
    person, absent = UserFactory(), UserFactory()
    session = make_session(module_=module("basics"))
    came, missed = booked(session, person, absent)
    begin(session)
    auth.login(admin)

    response = register(client, session, {came: "yes", missed: "no"})

    assert response.status_code == 303
    assert "Attendance saved (2 changed)." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    done = db.session.scalar(select(ModuleProgress).where(ModuleProgress.user_id == person.id))
    assert done.completed_at is not None and done.via == "face_to_face"
    assert done.version.number == 1 and done.module_id == module("basics").id
    assert count(ModuleProgress, ModuleProgress.user_id == absent.id) == 0
    assert count(CourseCompletion) == 0  # next-steps is still to do
    db.session.refresh(came)
    assert (came.attended, came.marked_by_id) == (True, admin.id) and missed.attended is False
    assert count(AuditEvent, AuditEvent.action == "attendance_marked") == 2


def test_attending_a_course_session_completes_the_course_with_one_certificate(
    client, auth, lead, course
):
    person = UserFactory(agency=lead.agency)
    session = make_session(course=course, agency=lead.agency)
    (booking,) = booked(session, person)
    begin(session)
    auth.login(lead)
    assert f"Did {person.name} attend?" in client.get(
        f"/face-to-face/{session.id}/attendance"
    ).get_data(as_text=True)

    register(client, session, {booking: "yes"})
    register(client, session, {booking: "yes"})  # saving the register again changes nothing

    completions = db.session.scalars(select(CourseCompletion)).all()
    assert len(completions) == 1 and completions[0].via == "face_to_face"
    assert [m["module"] for m in completions[0].module_versions] == ["basics", "next-steps"]
    assert count(Certificate) == 1
    assert db.session.scalar(select(Certificate)).user_id == person.id
    vias = db.session.scalars(select(ModuleProgress.via)).all()
    assert vias == ["face_to_face", "face_to_face"]


def test_attendance_finishes_a_course_partly_done_online(client, auth, admin, course, journey):
    person = UserFactory()
    auth.login(person)
    finish_basics(journey)  # the first module, online
    session = make_session(module_=module("next-steps"))
    (booking,) = booked(session, person)
    begin(session)
    auth.logout()
    auth.login(admin)

    register(client, session, {booking: "yes"})

    done = db.session.scalar(select(CourseCompletion))
    assert done is not None and done.via == "face_to_face"
    assert count(Certificate) == 1


def test_how_a_course_was_completed():
    assert completion.course_via(["online", "online"]) == "online"
    assert completion.course_via(["online", "face_to_face"]) == "face_to_face"
    assert completion.course_via(["face_to_face", "external"]) == "external"
    assert completion.course_via(["external", "online"]) == "external"


def test_unmarking_after_a_completion_is_refused_and_changes_nothing(client, auth, admin, course):
    person, other = UserFactory(), UserFactory()
    session = make_session(module_=module("basics"))
    came, unsure = booked(session, person, other)
    begin(session)
    auth.login(admin)
    register(client, session, {came: "yes"})

    response = register(client, session, {came: "no", unsure: "yes"})

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    errors = dict(Page(html).error_summary())
    assert errors[f"#booking-{came.id}"].startswith(
        f"{person.name} is already recorded as attending"
    )
    assert "Completions are never removed" in html
    db.session.expire_all()
    assert db.session.get(Booking, came.id).attended is True
    assert db.session.get(Booking, unsure.id).attended is None  # nothing of the form was saved
    assert count(ModuleProgress, ModuleProgress.completed_at.is_not(None)) == 1


def test_attendance_waits_until_the_session_starts(client, auth, admin, course):
    session = make_session(module_=module("basics"))
    (booking,) = booked(session, UserFactory())
    auth.login(admin)
    html = client.get(f"/face-to-face/{session.id}/attendance").get_data(as_text=True)
    assert "once the session has started" in html and "Save attendance" not in html
    response = register(client, session, {booking: "yes"})
    assert response.status_code == 409
    assert db.session.get(Booking, booking.id).attended is None
    assert count(ModuleProgress) == 0


def test_a_lead_from_another_agency_cannot_take_the_register(client, auth, lead, course):
    person = UserFactory()
    theirs = make_session(module_=module("basics"), agency=person.agency)
    open_to_all = make_session(module_=module("basics"))
    (booking,) = booked(theirs, person)
    (open_booking,) = booked(open_to_all, person)
    begin(theirs)
    begin(open_to_all)
    auth.login(lead)

    assert client.get(f"/face-to-face/{theirs.id}/attendance").status_code == 404
    token = client.csrf_token("/face-to-face/")
    for target, row in ((theirs, booking), (open_to_all, open_booking)):
        data = {f"attended-{row.id}": "yes", "csrf_token": token}
        response = client.post(f"/face-to-face/{target.id}/attendance", data=data)
        assert response.status_code == (404 if target is theirs else 403)
        cancel = client.post(f"/face-to-face/{target.id}/cancel", data={"csrf_token": token})
        assert cancel.status_code == (404 if target is theirs else 403)
    db.session.expire_all()
    assert db.session.get(Booking, booking.id).attended is None
    assert db.session.get(Booking, open_booking.id).attended is None
    assert (
        count(ModuleProgress) == 0
        and count(AuditEvent, AuditEvent.action == "attendance_marked") == 0
    )
    assert db.session.get(TrainingSession, theirs.id).cancelled_at is None


def test_an_organiser_cancels_a_session_and_nobody_can_book_it(client, auth, lead, course):
    session = make_session(course=course, agency=lead.agency)
    auth.login(lead)
    page = f"/face-to-face/{session.id}"
    client.submit(f"{page}/cancel", page=page)
    html = client.get(page).get_data(as_text=True)
    assert "This session has been cancelled." in html and "Book a place" not in html
    assert db.session.get(TrainingSession, session.id).cancelled_at is not None
    assert count(AuditEvent, AuditEvent.action == "session_cancelled") == 1
    with pytest.raises(face_to_face.FaceToFaceError, match="cancelled"):
        face_to_face.book(UserFactory(agency=lead.agency), session)
