"""local details and partnership logo

Revision ID: d4e5f6a7b8c9
Revises: fdc25340de8f
Create Date: 2026-12-01 18:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e5f6a7b8c9'
down_revision = 'c3f1a2b4d5e6'
branch_labels = None
depends_on = None

PARTNERSHIP = sa.text('agency_id IS NULL')


def upgrade():
    op.create_table('local_detail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=True),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agency.id'], name=op.f('fk_local_detail_agency_id_agency'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_local_detail_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_local_detail')),
    sa.UniqueConstraint('key', 'agency_id', name=op.f('uq_local_detail_key_agency_id'))
    )
    with op.batch_alter_table('local_detail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_local_detail_agency_id'), ['agency_id'], unique=False)
        # NULLs are distinct in the unique constraint: one partnership-wide row per key.
        batch_op.create_index('uq_local_detail_partnership_key', ['key'], unique=True, sqlite_where=PARTNERSHIP, postgresql_where=PARTNERSHIP)

    op.create_table('partnership_logo',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('media_type', sa.String(length=32), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user_account.id'], name=op.f('fk_partnership_logo_updated_by_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnership_logo'))
    )


def downgrade():
    op.drop_table('partnership_logo')
    with op.batch_alter_table('local_detail', schema=None) as batch_op:
        batch_op.drop_index('uq_local_detail_partnership_key', sqlite_where=PARTNERSHIP, postgresql_where=PARTNERSHIP)
        batch_op.drop_index(batch_op.f('ix_local_detail_agency_id'))

    op.drop_table('local_detail')
