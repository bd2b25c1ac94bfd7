"""factory_boy factories for the models tests need."""

from functools import cache

import factory
from factory.alchemy import SQLAlchemyModelFactory

from signpost.extensions import db
from signpost.models import Agency, AgencyKind, Role, Team, User
from signpost.passwords import hash_password

PASSWORD = "orange kettle harbour lamp"
FIRST = ["Amira", "Ben", "Chloe", "Dev", "Erin", "Femi", "Grace"]
LAST = ["Shah", "Jones", "Murphy", "Okafor", "Evans", "Nowak", "Clarke", "Patel", "Reid"]


@cache
def password_hash() -> str:
    """Hashing is deliberately slow; hash the shared test password once."""
    return hash_password(PASSWORD)


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class AgencyFactory(Base):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = AgencyKind.POLICE


class TeamFactory(Base):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    agency = factory.SubFactory(AgencyFactory)


class UserFactory(Base):
    class Meta:
        model = User

    # Deterministic names without apostrophes, so pages that escape them stay comparable.
    name = factory.Sequence(lambda n: f"{FIRST[n % len(FIRST)]} {LAST[(n // 7) % len(LAST)]}{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    password_hash = factory.LazyFunction(password_hash)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        self.set_roles(set(extracted) if extracted else {Role.LEARNER})
        if create:
            db.session.commit()
