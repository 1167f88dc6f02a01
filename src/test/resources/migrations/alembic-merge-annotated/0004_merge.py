"""merge b2 and c3"""
revision: str = "d4"
down_revision: tuple[str, ...] = ("b2", "c3")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
