"""merge heads b2 and c3, as black formats a long tuple"""
from typing import Sequence, Union

revision: str = "d4"
down_revision: Union[str, Sequence[str], None] = (
    "b2",
    "c3",
)
branch_labels = None


def upgrade():
    pass
