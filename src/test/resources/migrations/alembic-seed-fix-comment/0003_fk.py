"""foreign key"""
from alembic import op

revision = 'add_user_fk_constraint'
down_revision = 'add_predictions_001'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
