"""fk"""
revision = "add_user_fk_constraint"
down_revision = "add_predictions_001"
branch_labels = None

def upgrade():
    pass
