"""users.language: the display language a person picked, kept for their account

Revision ID: e14a11y00001
Revises: e14f1ea5e001
Create Date: 2026-12-05 00:50:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e14a11y00001'
down_revision = 'e14f1ea5e001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
