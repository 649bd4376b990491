"""delivery opened: when a provider first opened a referral delivered to it

``referral_deliveries.opened_at``: the provider's list tags a referral "New" until someone of
its staff opens it (web.md: ``/referrals``), for the whole organisation. Deliveries the
provider already responded to (an offer, a decline or a message) had been opened: they take
their response's time.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 06:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models.base

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("referral_deliveries") as batch:
        batch.add_column(
            sa.Column("opened_at", core.models.base.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE referral_deliveries SET opened_at = responded_at")


def downgrade() -> None:
    with op.batch_alter_table("referral_deliveries") as batch:
        batch.drop_column("opened_at")
