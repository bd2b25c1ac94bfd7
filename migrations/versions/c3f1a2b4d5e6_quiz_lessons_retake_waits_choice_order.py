"""quiz lessons, retake waits, scenario choice order

Revision ID: c3f1a2b4d5e6
Revises: fdc25340de8f
Create Date: 2026-12-01 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c3f1a2b4d5e6'
down_revision = 'fdc25340de8f'
branch_labels = None
depends_on = None


def upgrade():
    # Runs started before this have no stored order and show the content order.
    with op.batch_alter_table('scenario_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choice_order', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('scenario_run', schema=None) as batch_op:
        batch_op.drop_column('choice_order')
