"""round_schedule: a round's planned steps (open, close, reminders)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 19:10:00

One new table. Existing rounds get no steps: they were run by hand until now, and an
upgrade must not start opening rounds and mailing schools on dates that nobody set with
that in mind (a draft round whose opening date has passed would open, and mail every
school, within a minute). The planning page of each round offers "Standaardplanning
maken" (services/schedule.plan_defaults), so an inspector opts a round in knowingly.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scheduled_step',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=False),
        sa.Column('audience', sa.String(length=15), nullable=True),
        sa.Column('message_key', sa.String(length=20), nullable=True),
        sa.Column('days_before_close', sa.Integer(), nullable=True),
        sa.Column('state', sa.String(length=10), server_default='planned', nullable=False),
        sa.Column('claimed_at', sa.DateTime(), nullable=True),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.Column('outcome', sa.Text(), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('open', 'close', 'reminder')",
                           name=op.f('ck_scheduled_step_kind')),
        sa.CheckConstraint("state IN ('planned', 'running', 'done', 'cancelled', 'failed', "
                           "'skipped')", name=op.f('ck_scheduled_step_state')),
        sa.CheckConstraint("audience IN ('not_submitted', 'not_started')",
                           name=op.f('ck_scheduled_step_audience')),
        sa.CheckConstraint("(kind = 'reminder') = (audience IS NOT NULL AND message_key IS "
                           "NOT NULL)", name=op.f('ck_scheduled_step_reminder_fields')),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], ondelete='CASCADE',
                                name=op.f('fk_scheduled_step_round_id_round')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_step')),
    )
    op.create_index(op.f('ix_scheduled_step_round_id'), 'scheduled_step', ['round_id'])
    op.create_index('ix_scheduled_step_state_due_at', 'scheduled_step', ['state', 'due_at'])


def downgrade():
    op.drop_index('ix_scheduled_step_state_due_at', table_name='scheduled_step')
    op.drop_index(op.f('ix_scheduled_step_round_id'), table_name='scheduled_step')
    op.drop_table('scheduled_step')
