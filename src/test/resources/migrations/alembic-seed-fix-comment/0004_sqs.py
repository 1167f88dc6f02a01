"""sqs metadata"""
from alembic import op

revision = 'add_sqs_metadata'
down_revision = 'add_user_fk_constraint'  # it's the latest one; don't point at add_predictions_001 again
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
