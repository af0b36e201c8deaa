"""remark themes: a round's codebook of themes and the tags on remarks

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:40:00

Existing rounds start with an empty codebook; no remark is tagged.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'theme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('round_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('description', sa.Text(), server_default='', nullable=False),
        sa.Column('keywords', sa.Text(), server_default='', nullable=False),
        sa.Column('position', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['round_id'], ['round.id'], ondelete='CASCADE',
                                name=op.f('fk_theme_round_id_round')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')),
        sa.UniqueConstraint('round_id', 'name', name=op.f('uq_theme_round_id_name')),
    )
    op.create_index(op.f('ix_theme_round_id'), 'theme', ['round_id'], unique=False)
    op.create_table(
        'remark_theme',
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=40), nullable=False),
        sa.Column('theme_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=10), server_default='hand', nullable=False),
        sa.Column('tagged_at', sa.DateTime(), nullable=False),
        sa.Column('tagged_by', sa.Integer(), nullable=True),
        sa.CheckConstraint("source IN ('hand', 'suggestion')",
                           name=op.f('ck_remark_theme_source')),
        sa.ForeignKeyConstraint(['response_id', 'key'], ['remark.response_id', 'remark.key'],
                                ondelete='CASCADE',
                                name=op.f('fk_remark_theme_response_id_remark')),
        sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], ondelete='CASCADE',
                                name=op.f('fk_remark_theme_theme_id_theme')),
        sa.ForeignKeyConstraint(['tagged_by'], ['user_account.id'],
                                name=op.f('fk_remark_theme_tagged_by_user_account')),
        sa.PrimaryKeyConstraint('response_id', 'key', 'theme_id', name=op.f('pk_remark_theme')),
    )
    op.create_index('ix_remark_theme_theme_id', 'remark_theme', ['theme_id'], unique=False)


def downgrade():
    op.drop_index('ix_remark_theme_theme_id', table_name='remark_theme')
    op.drop_table('remark_theme')
    op.drop_index(op.f('ix_theme_round_id'), table_name='theme')
    op.drop_table('theme')
