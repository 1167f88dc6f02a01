"""initial schema

Revision ID: 0e12ce4eeec9
"""
from alembic import op
import sqlalchemy as sa

revision = "0e12ce4eeec9"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True), sa.Column("email", sa.String(255), nullable=False))


def downgrade():
    op.drop_table("users")
