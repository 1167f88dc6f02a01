"""sqs metadata"""
revision = "add_sqs_metadata"
down_revision = "add_user_fk_constraint"
branch_labels = None

def upgrade():
    pass
