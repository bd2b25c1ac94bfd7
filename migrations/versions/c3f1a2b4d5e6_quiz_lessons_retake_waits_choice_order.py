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
    # Existing quizzes keep today's rule (a wait after every failed attempt).
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('wait_after_failures', sa.Integer(), nullable=False, server_default='0')
        )
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lesson_slug', sa.String(length=100), nullable=True))
    # Runs started before this have no stored order and show the content order.
    with op.batch_alter_table('scenario_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('choice_order', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('scenario_run', schema=None) as batch_op:
        batch_op.drop_column('choice_order')
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('lesson_slug')
    with op.batch_alter_table('quiz', schema=None) as batch_op:
        batch_op.drop_column('wait_after_failures')
