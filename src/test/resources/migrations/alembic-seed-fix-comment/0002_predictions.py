"""predictions"""
from alembic import op

revision = 'add_predictions_001'
down_revision = '0e12ce4eeec9'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
