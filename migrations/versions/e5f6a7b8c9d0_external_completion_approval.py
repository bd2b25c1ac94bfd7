"""external completion approval

Revision ID: e5f6a7b8c9d0
Revises: d4e5f6a7b8c9
Create Date: 2026-12-01 18:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5f6a7b8c9d0'
down_revision = 'd4e5f6a7b8c9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('external_completion', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('decision_note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_external_completion_approved_by_id_user_account'), 'user_account', ['approved_by_id'], ['id'])

    # Records made before approval existed were already applied: they count as approved.
    op.execute("UPDATE external_completion SET status = 'approved'")

    with op.batch_alter_table('external_completion', schema=None) as batch_op:
        batch_op.alter_column('status', existing_type=sa.String(length=20), nullable=False)


def downgrade():
    with op.batch_alter_table('external_completion', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_external_completion_approved_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('decision_note')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by_id')
        batch_op.drop_column('status')
