"""Security audit (issue 20, finding 9): a per-address slowdown instead of a lock; sign-ups
that tell nothing

Failed sign-ins are counted per email address in ``sign_in_throttles`` (whether or not an
account has it), keyed by a keyed hash of the address; past a few failures the next attempt
waits, the wait doubling up to a minute. TOTP codes are counted per login challenge
(``login_challenges.code_attempts``). A provider's sign-up waits in ``pending_sign_ups`` for the
link emailed to its address.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.models.base

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STAMP = core.models.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sign_in_throttles",
        sa.Column("key", sa.LargeBinary(length=32), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _STAMP, nullable=True),
        sa.Column("last_attempt_at", _STAMP, nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sign_in_throttles")),
    )
    op.create_index(
        op.f("ix_sign_in_throttles_last_attempt_at"), "sign_in_throttles", ["last_attempt_at"]
    )
    op.create_table(
        "pending_sign_ups",
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("organisation_name", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("expires_at", _STAMP, nullable=False),
        sa.Column("confirmed_at", _STAMP, nullable=True),
        sa.Column("created_at", _STAMP, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_sign_ups")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_sign_ups_token_hash")),
    )
    op.create_index(op.f("ix_pending_sign_ups_expires_at"), "pending_sign_ups", ["expires_at"])
    with op.batch_alter_table("login_challenges") as batch:
        batch.add_column(
            sa.Column("code_attempts", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("login_challenges") as batch:
        batch.drop_column("code_attempts")
    op.drop_index(op.f("ix_pending_sign_ups_expires_at"), table_name="pending_sign_ups")
    op.drop_table("pending_sign_ups")
    op.drop_index(op.f("ix_sign_in_throttles_last_attempt_at"), table_name="sign_in_throttles")
    op.drop_table("sign_in_throttles")
