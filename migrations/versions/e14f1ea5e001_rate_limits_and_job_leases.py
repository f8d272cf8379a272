"""rate_limit_counters (database:// rate-limit storage, core.ratelimit) and job_leases
(workers sharing the math, core.leases)

Revision ID: e14f1ea5e001
Revises: c12c0a7e0001
Create Date: 2026-12-05 00:45:00

"""
from alembic import op
import sqlalchemy as sa

import core.db

# revision identifiers, used by Alembic.
revision = 'e14f1ea5e001'
down_revision = 'c12c0a7e0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rate_limit_counters',
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('expires_at', sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters')),
    )
    with op.batch_alter_table('rate_limit_counters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_counters_expires_at'), ['expires_at'],
                              unique=False)
    op.create_table(
        'job_leases',
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('holder', sa.String(length=120), nullable=False),
        sa.Column('expires_at', core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_job_leases')),
    )


def downgrade():
    op.drop_table('job_leases')
    with op.batch_alter_table('rate_limit_counters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_counters_expires_at'))
    op.drop_table('rate_limit_counters')
