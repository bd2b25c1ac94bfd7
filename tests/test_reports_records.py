"""course_record stays equal to a fresh rebuild, whatever changes a learner's standing."""

import datetime as dt

from sqlalchemy import delete, insert, select, update

from signpost.extensions import db
from signpost.models import (
    Assignment,
    Certificate,
    CourseCompletion,
    CourseModule,
    CourseRecord,
    Module,
    Role,
    User,
)
from signpost.reports.computed import recomputed, snapshot
from signpost.reports.records import rebuild_records
from tests.factories import AgencyFactory, TeamFactory, UserFactory
from tests.test_certificates import complete_course
from tests.test_reports_figures import NOW, assign, complete, make_course, start


def in_step() -> list[tuple]:
    """The maintained table, checked against what a rebuild would write."""
    db.session.commit()
    maintained = snapshot()
    assert maintained == recomputed()
    return maintained


def record(user, course) -> CourseRecord | None:
    db.session.expire_all()
    return db.session.get(CourseRecord, (user.id, course.id))


def test_records_follow_a_realistic_sequence_through_the_pages(client, auth, course, journey):
    admin = UserFactory(roles=[Role.ADMIN])
    finisher, starter, reissued = UserFactory(), UserFactory(), UserFactory()
    assert in_step() == []

    auth.login(starter)
    journey.start("basics")
    journey.finish_lesson("basics", "first")
    assert record(starter, course).started_at is not None
    assert record(starter, course).completed_at is None
    auth.logout()

    for person in (finisher, reissued):
        auth.login(person)
        complete_course(journey)
        auth.logout()
    done = record(finisher, course)
    cert = db.session.get(Certificate, done.certificate_id)
    assert done.completed_at == cert.completed_at and done.expires_at == cert.expires_at
    in_step()

    auth.login(admin)
    page = f"/certificates/{cert.id}/admin"
    client.submit(page, {"reason": "Issued in error"})
    assert record(finisher, course).completed_at is None  # withdrawn
    assert record(finisher, course).certificate_id == cert.id  # still shown, as revoked
    old = db.session.scalar(select(Certificate).where(Certificate.user_id == reissued.id))
    client.submit(f"/certificates/{old.id}/reissue", page=f"/certificates/{old.id}/admin")
    fresh = db.session.scalar(
        select(Certificate).where(
            Certificate.replaced_by_id.is_(None), Certificate.user_id == reissued.id
        )
    )
    assert record(reissued, course).certificate_id == fresh.id
    assert record(reissued, course).completed_at is not None
    in_step()

    response = client.get("/reports/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Starter course" in html
    in_step()


def test_people_moving_leaving_and_returning_are_followed(app):
    a, b = AgencyFactory(), AgencyFactory()
    team = TeamFactory(agency=b)
    course = make_course("moves")
    person = UserFactory(agency=a)
    assign(person, course, NOW)
    assert record(person, course).agency_id == a.id

    person.agency_id, person.team_id = b.id, team.id
    db.session.commit()
    assert (record(person, course).agency_id, record(person, course).team_id) == (b.id, team.id)

    person.active = False
    db.session.commit()
    assert record(person, course) is None
    person.active = True
    db.session.commit()
    assert record(person, course) is not None
    person.erased_at = NOW
    db.session.commit()
    assert record(person, course) is None
    in_step()


def test_progress_alone_or_a_completion_without_certificate_counts(app):
    course = make_course("bare", validity_months=24)
    starter, finisher = UserFactory(), UserFactory()
    start(starter, course, NOW)
    assert record(starter, course).assigned is False
    db.session.add(
        CourseCompletion(
            user_id=finisher.id, course_id=course.id, round=1, completed_at=NOW, module_versions=[]
        )
    )
    db.session.commit()
    row = record(finisher, course)
    assert row.expires_at == dt.datetime(2028, 3, 15, 12, 0) and row.certificate_id is None
    in_step()
    rebuild_records()
    assert record(finisher, course).expires_at == dt.datetime(2028, 3, 15, 12, 0)


def test_a_renewal_counts_the_latest_completion(app):
    course = make_course("renew")
    person = UserFactory()
    complete(person, course, NOW - dt.timedelta(days=400))
    complete(person, course, NOW - dt.timedelta(days=10), round_=2)
    row = record(person, course)
    assert row.completed_at == NOW - dt.timedelta(days=10)
    in_step()


def test_bulk_statements_are_followed(app):
    course = make_course("bulk")
    people = [UserFactory() for _ in range(3)]
    db.session.execute(
        insert(Assignment).values(
            [{"user_id": p.id, "course_id": course.id, "due_at": NOW} for p in people]
        )
    )
    db.session.commit()
    assert all(record(p, course).due_at == NOW for p in people)
    ids = db.session.scalars(select(Assignment.id).where(Assignment.user_id == people[0].id)).all()
    db.session.execute(update(Assignment), [{"id": ids[0], "due_at": NOW + dt.timedelta(days=1)}])
    db.session.commit()
    assert record(people[0], course).due_at == NOW + dt.timedelta(days=1)
    db.session.execute(update(User).where(User.id == people[1].id).values(active=False))
    db.session.commit()
    assert record(people[1], course) is None
    db.session.execute(delete(Assignment).where(Assignment.user_id == people[2].id))
    db.session.commit()
    assert record(people[2], course) is None
    db.session.execute(update(User).values(summary_emails=False))  # no bearing on reports
    db.session.commit()
    in_step()


def test_a_course_gaining_a_module_refreshes_its_learners(app):
    course, other = make_course("gains"), make_course("other")
    person = UserFactory()
    start(person, other, NOW)
    assert record(person, course) is None
    module_id = other.module_links[0].module_id
    db.session.add(CourseModule(course_id=course.id, module_id=module_id, position=2))
    db.session.commit()
    assert record(person, course).started_at == NOW
    db.session.execute(
        delete(CourseModule).where(
            CourseModule.course_id == course.id, CourseModule.module_id == module_id
        )
    )
    db.session.commit()
    assert record(person, course) is None
    assert db.session.get(Module, module_id) is not None
    in_step()


def test_a_rolled_back_change_leaves_no_trace(app):
    course = make_course("rollback")
    person = UserFactory()
    db.session.add(Assignment(user_id=person.id, course_id=course.id, due_at=NOW))
    db.session.flush()
    db.session.rollback()
    db.session.commit()
    assert record(person, course) is None
    in_step()


def test_roles_are_followed_for_the_role_filter(app):
    from signpost.models.reporting import ROLE_BITS

    course = make_course("roles")
    person = UserFactory()
    assign(person, course, NOW)
    assert record(person, course).roles == ROLE_BITS[Role.LEARNER]
    person.set_roles({Role.LEARNER, Role.AGENCY_LEAD})
    db.session.commit()
    assert record(person, course).roles == ROLE_BITS[Role.LEARNER] | ROLE_BITS[Role.AGENCY_LEAD]
    from signpost.models import UserRole

    db.session.execute(delete(UserRole).where(UserRole.user_id == person.id))
    db.session.commit()
    assert record(person, course).roles == 0
    in_step()
