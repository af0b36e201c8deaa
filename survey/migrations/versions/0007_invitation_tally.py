"""response figures kept per round, CLB and level; a response's count of saves

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('response', sa.Column('saves', sa.Integer(), server_default='1',
                                        nullable=False))
    op.create_table('invitation_tally',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('centre_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=5), nullable=False),
    sa.Column('invited', sa.Integer(), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.Column('submitted', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['centre_id'], ['centre.id'], name=op.f('fk_invitation_tally_centre_id_centre')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_invitation_tally_round_id_round')),
    sa.PrimaryKeyConstraint('round_id', 'centre_id', 'level', name=op.f('pk_invitation_tally'))
    )
    # The figures of the invitations already there (withdrawn ones are left out).
    op.execute(
        "INSERT INTO invitation_tally (round_id, centre_id, level, invited, started, "
        "submitted) SELECT i.round_id, i.centre_id, i.level, count(i.id), count(r.id), "
        "count(CASE WHEN r.status = 'submitted' THEN 1 END) "
        "FROM invitation i LEFT JOIN response r ON r.invitation_id = i.id "
        "WHERE i.revoked_at IS NULL GROUP BY i.round_id, i.centre_id, i.level")


def downgrade():
    op.drop_table('invitation_tally')
    with op.batch_alter_table('response') as batch:
        batch.drop_column('saves')
