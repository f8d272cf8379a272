"""users.area (where the person lives, from the city's areas) and
budget_processes.eligible_areas (a budget may limit voting to some areas)

Revision ID: e14a7ea50001
Revises: e14a11y00001
Create Date: 2026-12-05 00:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e14a7ea50001'
down_revision = 'e14a11y00001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('area', sa.String(length=120), server_default='',
                                      nullable=False))
    with op.batch_alter_table('budget_processes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eligible_areas', sa.JSON(),
                                      server_default=sa.text("'[]'"), nullable=False))


def downgrade():
    with op.batch_alter_table('budget_processes', schema=None) as batch_op:
        batch_op.drop_column('eligible_areas')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('area')
