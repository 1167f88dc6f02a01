"""predictions table

Revision ID: add_predictions_001
"""
from alembic import op
import sqlalchemy as sa

revision = "add_predictions_001"
down_revision = "0e12ce4eeec9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("predictions", sa.Column("id", sa.Integer, primary_key=True), sa.Column("user_id", sa.Integer))


def downgrade():
    op.drop_table("predictions")
