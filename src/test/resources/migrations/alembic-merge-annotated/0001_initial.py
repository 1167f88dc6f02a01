"""initial"""
from alembic import op

revision = 'a1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
