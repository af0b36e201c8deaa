"""questionnaire library: uploaded versions (concept, published) and a round's version

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 12:40:00

Existing rounds keep questionnaire_version_id NULL: they were created from bundled files
before the library existed and carry their own snapshot in round.definition.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'questionnaire_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('questionnaire_id', sa.String(length=80), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('definition', sa.JSON(), nullable=False),
        sa.Column('source_name', sa.String(length=255), nullable=False),
        sa.Column('source_format', sa.String(length=4), nullable=False),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('published_by', sa.Integer(), nullable=True),
        sa.CheckConstraint("source_format IN ('toml', 'xlsx')",
                           name=op.f('ck_questionnaire_version_source_format')),
        sa.CheckConstraint("state IN ('concept', 'published')",
                           name=op.f('ck_questionnaire_version_state')),
        sa.ForeignKeyConstraint(['created_by'], ['user_account.id'],
                                name=op.f('fk_questionnaire_version_created_by_user_account')),
        sa.ForeignKeyConstraint(['published_by'], ['user_account.id'],
                                name=op.f('fk_questionnaire_version_published_by_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_version')),
        sa.UniqueConstraint('questionnaire_id', 'version',
                            name=op.f('uq_questionnaire_version_questionnaire_id_version')),
    )
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.add_column(sa.Column('questionnaire_version_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_round_questionnaire_version_id_questionnaire_version'),
            'questionnaire_version', ['questionnaire_version_id'], ['id'])


def downgrade():
    with op.batch_alter_table('round', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_round_questionnaire_version_id_questionnaire_version'),
            type_='foreignkey')
        batch_op.drop_column('questionnaire_version_id')
    op.drop_table('questionnaire_version')
