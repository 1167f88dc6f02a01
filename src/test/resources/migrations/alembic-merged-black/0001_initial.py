"""initial"""
revision = "a1"
down_revision = None
branch_labels = None

def upgrade():
    pass
