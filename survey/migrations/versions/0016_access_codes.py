"""access_codes: a round's audience and access; single-use codes; anonymous responses

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 22:30:00

Existing rounds become what they are: school directors answering by personal link
(server defaults). A response's invitation was unique; now only the school's own response
is (a partial unique index on anonymous = false), so that a coded round's school can hold
many anonymous responses while the school journey's upsert keeps its one row.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

# As the model's predicate renders on each dialect: SQLite matches an upsert's conflict
# target to a partial index only when both WHERE clauses are spelled alike.
SCHOOL_RESPONSE = {'sqlite_where': sa.text('anonymous = 0'),
                   'postgresql_where': sa.text('anonymous = false')}


def upgrade():
    with op.batch_alter_table('round') as batch:
        batch.add_column(sa.Column('audience', sa.String(length=10),
                                   server_default='directors', nullable=False))
        batch.add_column(sa.Column('access', sa.String(length=10),
                                   server_default='link', nullable=False))
        batch.create_check_constraint(
            op.f('ck_round_audience'),
            "audience IN ('directors', 'parents', 'pupils', 'staff')")
        batch.create_check_constraint(op.f('ck_round_access'), "access IN ('link', 'codes')")
    with op.batch_alter_table('response') as batch:
        batch.add_column(sa.Column('anonymous', sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
        batch.drop_constraint(op.f('uq_response_invitation_id'), type_='unique')
        batch.create_index('ix_response_invitation_id', ['invitation_id'])
    op.create_index('uq_response_school', 'response', ['invitation_id'], unique=True,
                    **SCHOOL_RESPONSE)
    op.create_table(
        'access_code',
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('invitation_id', sa.Integer(), nullable=False),
        sa.Column('group_label', sa.String(length=40), nullable=True),
        sa.Column('state', sa.String(length=10), server_default='unused', nullable=False),
        sa.Column('response_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('unused', 'in_use', 'spent')",
                           name=op.f('ck_access_code_state')),
        sa.CheckConstraint("(state = 'in_use') = (response_id IS NOT NULL)",
                           name=op.f('ck_access_code_held_draft')),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], ondelete='CASCADE',
                                name=op.f('fk_access_code_round_id_round')),
        sa.ForeignKeyConstraint(['invitation_id'], ['invitation.id'],
                                name=op.f('fk_access_code_invitation_id_invitation')),
        sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='SET NULL',
                                name=op.f('fk_access_code_response_id_response')),
        sa.PrimaryKeyConstraint('code_hash', name=op.f('pk_access_code')),
        sa.UniqueConstraint('response_id', name=op.f('uq_access_code_response_id')),
    )
    op.create_index(op.f('ix_access_code_round_id'), 'access_code', ['round_id'])
    op.create_index('ix_access_code_invitation_id_state', 'access_code',
                    ['invitation_id', 'state'])


def downgrade():
    # Only a database without anonymous responses goes back: the old unique key cannot
    # hold a school's many.
    op.drop_index('ix_access_code_invitation_id_state', table_name='access_code')
    op.drop_index(op.f('ix_access_code_round_id'), table_name='access_code')
    op.drop_table('access_code')
    op.drop_index('uq_response_school', table_name='response')
    with op.batch_alter_table('response') as batch:
        batch.drop_index('ix_response_invitation_id')
        batch.create_unique_constraint(op.f('uq_response_invitation_id'), ['invitation_id'])
        batch.drop_column('anonymous')
    with op.batch_alter_table('round') as batch:
        batch.drop_constraint(op.f('ck_round_access'), type_='check')
        batch.drop_constraint(op.f('ck_round_audience'), type_='check')
        batch.drop_column('access')
        batch.drop_column('audience')
