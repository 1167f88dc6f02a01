"""sqs metadata (the seed 002 mistake)"""
revision = "add_sqs_metadata"
down_revision = 'add_predictions_001'
branch_labels = None

def upgrade():
    pass
