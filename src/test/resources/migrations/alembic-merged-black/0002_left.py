"""left"""
revision = "b2"
down_revision = "a1"
branch_labels = None

def upgrade():
    pass
