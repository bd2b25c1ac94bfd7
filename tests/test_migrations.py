"""Migrations build the same schema as the models, from empty, on either engine."""

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from app import create_app
from signpost.extensions import db
from signpost.models import Base


@pytest.fixture
def empty_database(tmp_path):
    """A brand-new empty database on the same engine as the rest of the suite."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path}/migrations.sqlite3"
        return
    name = f"signpost_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_matches_the_models(app_config, empty_database):
    app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade()
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO audit_event (at, action, detail) "
                    "VALUES (CURRENT_TIMESTAMP, 'x', '{}')"
                )
            )
        for statement in ("UPDATE audit_event SET action = 'y'", "DELETE FROM audit_event"):
            with pytest.raises(Exception, match="append-only"), db.engine.begin() as conn:
                conn.execute(text(statement))  # the database itself refuses
        with db.engine.connect() as conn:
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
            tables = set(inspect(conn).get_table_names())
        db.engine.dispose()
    assert diff == []
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables
