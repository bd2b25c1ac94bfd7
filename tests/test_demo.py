"""The seed-demo command."""

from sqlalchemy import func, select

from signpost.demo import DEMO_PASSWORD
from signpost.extensions import db
from signpost.models import Agency, AgencyKind, Role, User


def test_seed_demo_creates_one_user_per_role_and_is_idempotent(runner, client, auth):
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert db.session.scalar(select(func.count()).select_from(User)) == 5
    assert {a.kind for a in db.session.scalars(select(Agency))} == set(AgencyKind)
    held = set().union(*(u.roles for u in db.session.scalars(select(User))))
    assert held == set(Role)
    for email in [
        "learner@demo.signpost",
        "trainer@demo.signpost",
        "lead@demo.signpost",
        "auditor@demo.signpost",
        "admin@demo.signpost",
    ]:
        assert email in second.output
        assert auth.login(email, DEMO_PASSWORD).status_code == 302
        auth.logout()
    assert DEMO_PASSWORD in second.output
