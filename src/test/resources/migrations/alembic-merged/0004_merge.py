"""merge"""
revision = "d4"
down_revision = ("b2", "c3")
branch_labels = None

def upgrade():
    pass
