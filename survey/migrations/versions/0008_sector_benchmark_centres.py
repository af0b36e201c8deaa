"""a round's minimum number of other CLBs behind a sector benchmark

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('min_benchmark_centres', sa.Integer(),
                                      server_default='3', nullable=False))
        batch_op.create_check_constraint(op.f('ck_round_min_benchmark_centres'),
                                         'min_benchmark_centres >= 1')


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_round_min_benchmark_centres'), type_='check')
        batch_op.drop_column('min_benchmark_centres')
