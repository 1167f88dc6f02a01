"""SQS metadata columns on predictions (the seed's fix: after the FK, not beside it)

Revision ID: add_sqs_metadata
"""
from alembic import op
import sqlalchemy as sa

revision = "add_sqs_metadata"
down_revision = "add_user_fk_constraint"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("predictions", sa.Column("sqs_message_id", sa.String(255)))
    print("Added column: sqs_message_id")
    op.add_column("predictions", sa.Column("sqs_queued_at", sa.DateTime))
    print("Added column: sqs_queued_at")


def downgrade():
    op.drop_column("predictions", "sqs_queued_at")
    op.drop_column("predictions", "sqs_message_id")
