"""jobs: the records of the background job queue

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 19:10:00

One new table and nothing else: existing databases simply have no jobs yet (a report
build that ran in a web worker's thread kept its status in a file, which is left alone).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'job',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=True),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('state', sa.String(length=10), server_default='queued', nullable=False),
        sa.Column('done', sa.Integer(), server_default='0', nullable=False),
        sa.Column('total', sa.Integer(), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.Column('started_by', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('heartbeat_at', sa.DateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('worker', sa.String(length=100), nullable=True),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')",
                           name=op.f('ck_job_state')),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], ondelete='CASCADE',
                                name=op.f('fk_job_round_id_round')),
        sa.ForeignKeyConstraint(['started_by'], ['user_account.id'], ondelete='SET NULL',
                                name=op.f('fk_job_started_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_job')),
    )
    op.create_index('ix_job_round_id_kind', 'job', ['round_id', 'kind'])
    op.create_index('ix_job_state', 'job', ['state'])


def downgrade():
    op.drop_index('ix_job_state', table_name='job')
    op.drop_index('ix_job_round_id_kind', table_name='job')
    op.drop_table('job')
