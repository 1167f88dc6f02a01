"""right"""
revision = "c3"
down_revision = "a1"
branch_labels = None

def upgrade():
    pass
