"""kept for reference, not loaded: Alembic reads only the top of the versions folder"""
revision = "archived_fk"
down_revision = "0e12ce4eeec9"
branch_labels = None
