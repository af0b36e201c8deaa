"""the CLB's answer to its results: reaction and actions

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 15:40:00

Two new tables and nothing else: existing rounds simply have no answers yet.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'centre_reaction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('centre_id', sa.Integer(), nullable=False),
        sa.Column('text', sa.Text(), server_default='', nullable=False),
        sa.Column('state', sa.String(length=10), server_default='draft', nullable=False),
        sa.Column('revision', sa.Integer(), server_default='1', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('submitted_at', sa.DateTime(), nullable=True),
        sa.Column('submitted_by', sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('draft', 'submitted')",
                           name=op.f('ck_centre_reaction_state')),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'],
                                name=op.f('fk_centre_reaction_round_id_round')),
        sa.ForeignKeyConstraint(['centre_id'], ['centre.id'],
                                name=op.f('fk_centre_reaction_centre_id_centre')),
        sa.ForeignKeyConstraint(['updated_by'], ['user_account.id'],
                                name=op.f('fk_centre_reaction_updated_by_user_account')),
        sa.ForeignKeyConstraint(['submitted_by'], ['user_account.id'],
                                name=op.f('fk_centre_reaction_submitted_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_reaction')),
        sa.UniqueConstraint('round_id', 'centre_id',
                            name=op.f('uq_centre_reaction_round_id_centre_id')),
    )
    op.create_index(op.f('ix_centre_reaction_centre_id'), 'centre_reaction', ['centre_id'])
    op.create_table(
        'centre_action',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reaction_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('statement', sa.Integer(), nullable=True),
        sa.Column('attention', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=True),
        sa.Column('state', sa.String(length=12), server_default='planned', nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint("state IN ('planned', 'in_progress', 'done')",
                           name=op.f('ck_centre_action_state')),
        sa.ForeignKeyConstraint(['reaction_id'], ['centre_reaction.id'], ondelete='CASCADE',
                                name=op.f('fk_centre_action_reaction_id_centre_reaction')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_centre_action')),
    )
    op.create_index(op.f('ix_centre_action_reaction_id'), 'centre_action', ['reaction_id'])


def downgrade():
    op.drop_index(op.f('ix_centre_action_reaction_id'), table_name='centre_action')
    op.drop_table('centre_action')
    op.drop_index(op.f('ix_centre_reaction_centre_id'), table_name='centre_reaction')
    op.drop_table('centre_reaction')
