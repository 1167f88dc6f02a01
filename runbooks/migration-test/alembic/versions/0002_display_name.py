"""a display name for users

Revision ID: 0002_display_name
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_display_name"
down_revision = "0001_users"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("display_name", sa.String(255)))


def downgrade():
    op.drop_column("users", "display_name")
