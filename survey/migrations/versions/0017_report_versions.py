"""report_versions (reserved; no change yet)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 19:30:00
"""

# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
