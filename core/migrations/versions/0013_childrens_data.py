"""children's data: the access log (append-only), data exports, retention and purge marks

- ``access_log``: one row per read of a child's information. Triggers refuse UPDATE and DELETE
  on both databases (TRUNCATE fires no row trigger: the tests empty tables that way).
- ``data_exports``: subject-access and organisation exports made by a worker.
- ``organisations.retention_days`` / ``ipa_retention_days``: an LA's retention policy.
- ``referrals.purged_at`` / ``ipas.purged_at``: what the retention purge has done.
- The frozen-IPA triggers of 0008 are widened by exactly one change: the purge of a frozen IPA
  whose retention period ended (``purged_at`` set once, with its terms; nothing else may
  change), and the removal of a purged IPA's document links.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from core.models.base import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# ---------------------------------------------------------------- the frozen IPA rules of 0008

FROZEN_OLD = (
    "(OLD.status IN ('READY_FOR_SIGNING', 'SIGNED') "
    "OR (OLD.status = 'SUPERSEDED' AND OLD.content_hash IS NOT NULL))"
)
ALLOWED_STATUS = (
    "(NEW.status = OLD.status "
    "OR (OLD.status = 'READY_FOR_SIGNING' AND NEW.status IN ('SIGNED', 'SUPERSEDED')) "
    "OR (OLD.status = 'SIGNED' AND NEW.status = 'SUPERSEDED'))"
)
IPA_FIXED = ["id", "referral_id", "offer_id", "content_hash", "created_at", "enabled_at"]


def _changed(column: str, dialect: str) -> str:
    op_ = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return f"NEW.{column} {op_} OLD.{column}"


def _frozen_ipa_changed(dialect: str, *, with_purge: bool) -> str:
    """True when an UPDATE of a frozen IPA changes what it may not (0008's rule; with the
    purge: terms may change in the one UPDATE that sets ``purged_at``, and ``purged_at``
    never changes once set)."""
    changes = [_changed(c, dialect) for c in IPA_FIXED]
    if with_purge:
        changes += [
            f"({_changed('terms', dialect)} AND NOT "
            "(OLD.purged_at IS NULL AND NEW.purged_at IS NOT NULL))",
            f"(OLD.purged_at IS NOT NULL AND {_changed('purged_at', dialect)})",
        ]
    else:
        changes.append(_changed("terms", dialect))
    changes += [
        f"(OLD.signed_at IS NOT NULL AND {_changed('signed_at', dialect)})",
        f"(OLD.superseded_at IS NOT NULL AND {_changed('superseded_at', dialect)})",
        f"NOT {ALLOWED_STATUS}",
    ]
    return "(" + " OR ".join(changes) + ")"


def _frozen_ipa(alias_id: str, *, unless_purged: bool) -> str:
    purged = " AND ipas.purged_at IS NULL" if unless_purged else ""
    return (
        f"EXISTS (SELECT 1 FROM ipas WHERE ipas.id = {alias_id} AND "
        "(ipas.status IN ('READY_FOR_SIGNING', 'SIGNED') "
        f"OR (ipas.status = 'SUPERSEDED' AND ipas.content_hash IS NOT NULL)){purged})"
    )


def _pg_ipa_functions(with_purge: bool) -> list[str]:
    return [
        f"""
CREATE OR REPLACE FUNCTION ipas_guard_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF {FROZEN_OLD} THEN
            RAISE EXCEPTION 'IPA % is frozen (%): it cannot be deleted', OLD.id, OLD.status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF {FROZEN_OLD} AND {_frozen_ipa_changed("postgresql", with_purge=with_purge)} THEN
        RAISE EXCEPTION 'IPA % is frozen (%): its content cannot change', OLD.id, OLD.status
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.status = 'DRAFT' AND NEW.status = 'SIGNED' THEN
        RAISE EXCEPTION 'IPA %: a DRAFT cannot become SIGNED', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$
""",
        f"""
CREATE OR REPLACE FUNCTION ipa_documents_guard_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND {_frozen_ipa("OLD.ipa_id", unless_purged=False)} THEN
        RAISE EXCEPTION 'IPA % is frozen: its documents cannot change', OLD.ipa_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' AND {_frozen_ipa("OLD.ipa_id", unless_purged=with_purge)} THEN
        RAISE EXCEPTION 'IPA % is frozen: its documents cannot change', OLD.ipa_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {_frozen_ipa("NEW.ipa_id", unless_purged=False)} THEN
        RAISE EXCEPTION 'IPA % is frozen: its documents cannot change', NEW.ipa_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$
""",
    ]


PG_ACCESS_LOG = [
    """
CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$
""",
    """
CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON access_log
FOR EACH ROW EXECUTE FUNCTION access_log_append_only()
""",
]


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def _sqlite_ipa_triggers(with_purge: bool) -> dict[str, str]:
    return {
        "ipas_frozen_update": _sqlite_trigger(
            "ipas_frozen_update",
            "UPDATE",
            "ipas",
            f"{FROZEN_OLD} AND {_frozen_ipa_changed('sqlite', with_purge=with_purge)}",
            "IPA is frozen: its content cannot change",
        ),
        "ipa_documents_delete": _sqlite_trigger(
            "ipa_documents_delete",
            "DELETE",
            "ipa_documents",
            _frozen_ipa("OLD.ipa_id", unless_purged=with_purge),
            "IPA is frozen: its documents cannot change",
        ),
    }


SQLITE_ACCESS_LOG = {
    "access_log_no_update": _sqlite_trigger(
        "access_log_no_update", "UPDATE", "access_log", "1", "the access log is append-only"
    ),
    "access_log_no_delete": _sqlite_trigger(
        "access_log_no_delete", "DELETE", "access_log", "1", "the access log is append-only"
    ),
}


def upgrade() -> None:
    op.create_table(
        "access_log",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("api_token_id", sa.Uuid(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("referral_id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_log")),
    )
    op.create_index("ix_access_log_referral", "access_log", ["referral_id", "id"])
    op.create_table(
        "data_exports",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("requested_by_id", sa.Uuid(), nullable=True),
        sa.Column("referral_id", sa.Uuid(), nullable=True),
        sa.Column("subject_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("storage_key", sa.String(length=128), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["users.id"],
            name=op.f("fk_data_exports_requested_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_exports")),
    )
    op.create_index(
        op.f("ix_data_exports_requested_by_id"), "data_exports", ["requested_by_id"]
    )
    op.add_column("organisations", sa.Column("retention_days", sa.Integer(), nullable=True))
    op.add_column("organisations", sa.Column("ipa_retention_days", sa.Integer(), nullable=True))
    op.add_column("referrals", sa.Column("purged_at", UTCDateTime(), nullable=True))
    op.add_column("ipas", sa.Column("purged_at", UTCDateTime(), nullable=True))

    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in PG_ACCESS_LOG + _pg_ipa_functions(with_purge=True):
            op.execute(statement)
    elif dialect == "sqlite":
        for name, statement in _sqlite_ipa_triggers(with_purge=True).items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(statement)
        for statement in SQLITE_ACCESS_LOG.values():
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in _pg_ipa_functions(with_purge=False):
            op.execute(statement)
        op.execute("DROP TRIGGER IF EXISTS access_log_append_only ON access_log")
        op.execute("DROP FUNCTION IF EXISTS access_log_append_only()")
    elif dialect == "sqlite":
        for name in SQLITE_ACCESS_LOG:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for name, statement in _sqlite_ipa_triggers(with_purge=False).items():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
            op.execute(statement)
    # Plain DROP COLUMN (SQLite >= 3.35): a batch copy of ``ipas`` would trip over the
    # triggers of other tables that name it.
    op.drop_column("ipas", "purged_at")
    op.drop_column("referrals", "purged_at")
    op.drop_column("organisations", "ipa_retention_days")
    op.drop_column("organisations", "retention_days")
    op.drop_index(op.f("ix_data_exports_requested_by_id"), table_name="data_exports")
    op.drop_table("data_exports")
    op.drop_index("ix_access_log_referral", table_name="access_log")
    op.drop_table("access_log")
