"""participants.mailbox_key: what an erased account's participant keeps of its mailbox (a
keyed hash), unique per conversation, so registering again cannot vote twice

Revision ID: e15e0a5e0001
Revises: e14a7ea50001
Create Date: 2026-12-05 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e15e0a5e0001'
down_revision = 'e14a7ea50001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mailbox_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_participants_conversation_id_mailbox_key'),
            ['conversation_id', 'mailbox_key'])


def downgrade():
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_participants_conversation_id_mailbox_key'),
                                 type_='unique')
        batch_op.drop_column('mailbox_key')
