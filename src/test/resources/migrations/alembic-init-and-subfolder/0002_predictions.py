"""predictions"""
revision = "add_predictions_001"
down_revision = "0e12ce4eeec9"
branch_labels = None

def upgrade():
    pass
