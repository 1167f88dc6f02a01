"""foreign key from predictions to users

Revision ID: add_user_fk_constraint
"""
from alembic import op

revision = "add_user_fk_constraint"
down_revision = "add_predictions_001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_foreign_key("fk_predictions_user", "predictions", "users", ["user_id"], ["id"])


def downgrade():
    op.drop_constraint("fk_predictions_user", "predictions", type_="foreignkey")
