"""initial schema"""
revision = "0e12ce4eeec9"
down_revision = None
branch_labels = None

def upgrade():
    pass
