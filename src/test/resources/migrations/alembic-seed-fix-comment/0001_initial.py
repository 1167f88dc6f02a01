"""initial schema"""
from alembic import op

revision = '0e12ce4eeec9'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
