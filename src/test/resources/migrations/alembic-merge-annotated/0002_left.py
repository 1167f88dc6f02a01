"""left"""
from alembic import op

revision = 'b2'
down_revision = 'a1'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
