"""remark themes: a round's codebook of themes and the tags on remarks

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 15:40:00
"""

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
