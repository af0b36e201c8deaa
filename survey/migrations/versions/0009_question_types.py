"""question types: whole numbers as answers, answers and remarks hidden by routing

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.SmallInteger(), type_=sa.Integer(),
                              existing_nullable=False)
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table('answer_count', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.SmallInteger(), type_=sa.Integer(),
                              existing_nullable=False)
    with op.batch_alter_table('remark', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('remark', schema=None) as batch_op:
        batch_op.drop_column('hidden')
    with op.batch_alter_table('answer_count', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.Integer(), type_=sa.SmallInteger(),
                              existing_nullable=False)
    with op.batch_alter_table('answer', schema=None) as batch_op:
        batch_op.drop_column('hidden')
        batch_op.alter_column('value', existing_type=sa.Integer(), type_=sa.SmallInteger(),
                              existing_nullable=False)
