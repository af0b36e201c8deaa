"""report_versions: the published versions of a round's reports

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 19:30:00

One new table. Rounds published before it get no version: the portal shows them live, as
before, until an inspector freezes version 1 on the round's versions page (the upgrade
cannot freeze them itself: a migration has no report code to run, and it would stamp a
date nobody chose on what CLBs have already read).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'report_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('size', sa.Integer(), server_default='0', nullable=False),
        sa.Column('summary', sa.String(length=500), server_default='', nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], ondelete='CASCADE',
                                name=op.f('fk_report_version_round_id_round')),
        sa.ForeignKeyConstraint(['created_by'], ['user_account.id'],
                                name=op.f('fk_report_version_created_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_version')),
        sa.UniqueConstraint('round_id', 'number',
                            name=op.f('uq_report_version_round_id_number')),
    )
    op.create_index(op.f('ix_report_version_round_id'), 'report_version', ['round_id'])


def downgrade():
    op.drop_index(op.f('ix_report_version_round_id'), table_name='report_version')
    op.drop_table('report_version')
