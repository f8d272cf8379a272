"""signatures.language: the page language a signature was made in (emails to signers
without an account are written in it)

Revision ID: e14a11y00002
Revises: e15e0a5e0001
Create Date: 2026-12-05 01:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e14a11y00002'
down_revision = 'e15e0a5e0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('petition_signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('petition_signatures', schema=None) as batch_op:
        batch_op.drop_column('language')
