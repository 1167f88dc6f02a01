"""merge the users' and the billing branch"""
from typing import Sequence, Union

revision: str = "d4"
down_revision: Union[str, Sequence[str], None] = (
    "b2",  # the users' branch
    "c3",  # billing's branch, formerly "c2"
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
