"""frozen IPAs: database triggers refuse changing a frozen IPA, its documents and signatures

Defence in depth (security item 10): once an IPA is enabled for signing, not even a bug in the
application (or a stray UPDATE in a console) can change what was signed. The application needs
only these changes of a frozen IPA, and the triggers allow exactly them:

- READY_FOR_SIGNING -> SIGNED (setting signed_at) and -> SUPERSEDED, SIGNED -> SUPERSEDED
  (setting superseded_at); created_by_id may still become NULL (its user deleted).

Refused: any other UPDATE of a frozen IPA (terms, content_hash, ...), DELETE of a frozen IPA,
UPDATE or DELETE of any signature, a signature whose hash is not its IPA's (or of an IPA not
READY_FOR_SIGNING), and INSERT, UPDATE or DELETE of a frozen IPA's documents.
A frozen IPA is one READY_FOR_SIGNING or SIGNED, or SUPERSEDED after it was enabled (its
content_hash set). TRUNCATE fires no row triggers: the tests empty tables that way.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 12:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FROZEN_OLD = (
    "(OLD.status IN ('READY_FOR_SIGNING', 'SIGNED') "
    "OR (OLD.status = 'SUPERSEDED' AND OLD.content_hash IS NOT NULL))"
)
ALLOWED_STATUS = (
    "(NEW.status = OLD.status "
    "OR (OLD.status = 'READY_FOR_SIGNING' AND NEW.status IN ('SIGNED', 'SUPERSEDED')) "
    "OR (OLD.status = 'SIGNED' AND NEW.status = 'SUPERSEDED'))"
)


def _changed(column: str, dialect: str) -> str:
    op_ = "IS DISTINCT FROM" if dialect == "postgresql" else "IS NOT"
    return f"NEW.{column} {op_} OLD.{column}"


def _frozen_ipa_changed(dialect: str) -> str:
    """True when an UPDATE of a frozen IPA changes what it may not."""
    fixed = ["id", "referral_id", "offer_id", "terms", "content_hash", "created_at", "enabled_at"]
    changes = [_changed(c, dialect) for c in fixed]
    changes += [
        f"(OLD.signed_at IS NOT NULL AND {_changed('signed_at', dialect)})",
        f"(OLD.superseded_at IS NOT NULL AND {_changed('superseded_at', dialect)})",
        f"NOT {ALLOWED_STATUS}",
    ]
    return "(" + " OR ".join(changes) + ")"


def _frozen_ipa(alias_id: str) -> str:
    """An EXISTS naming a frozen IPA by id."""
    return (
        f"EXISTS (SELECT 1 FROM ipas WHERE ipas.id = {alias_id} AND "
        "(ipas.status IN ('READY_FOR_SIGNING', 'SIGNED') "
        "OR (ipas.status = 'SUPERSEDED' AND ipas.content_hash IS NOT NULL)))"
    )


# ---------------------------------------------------------------- PostgreSQL

PG_UP = [
    f"""
CREATE FUNCTION ipas_guard_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF {FROZEN_OLD} THEN
            RAISE EXCEPTION 'IPA % is frozen (%): it cannot be deleted', OLD.id, OLD.status
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN OLD;
    END IF;
    IF {FROZEN_OLD} AND {_frozen_ipa_changed("postgresql")} THEN
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
    """
CREATE TRIGGER ipas_guard_frozen BEFORE UPDATE OR DELETE ON ipas
FOR EACH ROW EXECUTE FUNCTION ipas_guard_frozen()
""",
    """
CREATE FUNCTION ipa_signatures_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NOT EXISTS (
            SELECT 1 FROM ipas WHERE ipas.id = NEW.ipa_id
            AND ipas.status = 'READY_FOR_SIGNING' AND ipas.content_hash = NEW.content_hash
        ) THEN
            RAISE EXCEPTION 'IPA %: a signature must be of the hash of an IPA ready for signing',
                NEW.ipa_id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'IPA signatures cannot be changed or deleted (IPA %)', OLD.ipa_id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$
""",
    """
CREATE TRIGGER ipa_signatures_guard BEFORE INSERT OR UPDATE OR DELETE ON ipa_signatures
FOR EACH ROW EXECUTE FUNCTION ipa_signatures_guard()
""",
    f"""
CREATE FUNCTION ipa_documents_guard_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND {_frozen_ipa("OLD.ipa_id")} THEN
        RAISE EXCEPTION 'IPA % is frozen: its documents cannot change', OLD.ipa_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {_frozen_ipa("NEW.ipa_id")} THEN
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
    """
CREATE TRIGGER ipa_documents_guard_frozen BEFORE INSERT OR UPDATE OR DELETE ON ipa_documents
FOR EACH ROW EXECUTE FUNCTION ipa_documents_guard_frozen()
""",
]

PG_DOWN = [
    "DROP TRIGGER IF EXISTS ipa_documents_guard_frozen ON ipa_documents",
    "DROP FUNCTION IF EXISTS ipa_documents_guard_frozen()",
    "DROP TRIGGER IF EXISTS ipa_signatures_guard ON ipa_signatures",
    "DROP FUNCTION IF EXISTS ipa_signatures_guard()",
    "DROP TRIGGER IF EXISTS ipas_guard_frozen ON ipas",
    "DROP FUNCTION IF EXISTS ipas_guard_frozen()",
]

# ---------------------------------------------------------------- SQLite


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    return (
        f"CREATE TRIGGER {name} BEFORE {when} ON {table} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


SQLITE_TRIGGERS = {
    "ipas_frozen_update": _sqlite_trigger(
        "ipas_frozen_update",
        "UPDATE",
        "ipas",
        f"{FROZEN_OLD} AND {_frozen_ipa_changed('sqlite')}",
        "IPA is frozen: its content cannot change",
    ),
    "ipas_draft_not_signed": _sqlite_trigger(
        "ipas_draft_not_signed",
        "UPDATE",
        "ipas",
        "OLD.status = 'DRAFT' AND NEW.status = 'SIGNED'",
        "a DRAFT IPA cannot become SIGNED",
    ),
    "ipas_frozen_delete": _sqlite_trigger(
        "ipas_frozen_delete", "DELETE", "ipas", FROZEN_OLD, "IPA is frozen: it cannot be deleted"
    ),
    "ipa_signatures_insert": _sqlite_trigger(
        "ipa_signatures_insert",
        "INSERT",
        "ipa_signatures",
        "NOT EXISTS (SELECT 1 FROM ipas WHERE ipas.id = NEW.ipa_id "
        "AND ipas.status = 'READY_FOR_SIGNING' AND ipas.content_hash = NEW.content_hash)",
        "a signature must be of the hash of an IPA ready for signing",
    ),
    "ipa_signatures_update": _sqlite_trigger(
        "ipa_signatures_update", "UPDATE", "ipa_signatures", "1", "IPA signatures cannot change"
    ),
    "ipa_signatures_delete": _sqlite_trigger(
        "ipa_signatures_delete",
        "DELETE",
        "ipa_signatures",
        "1",
        "IPA signatures cannot be deleted",
    ),
    "ipa_documents_insert": _sqlite_trigger(
        "ipa_documents_insert",
        "INSERT",
        "ipa_documents",
        _frozen_ipa("NEW.ipa_id"),
        "IPA is frozen: its documents cannot change",
    ),
    "ipa_documents_update": _sqlite_trigger(
        "ipa_documents_update",
        "UPDATE",
        "ipa_documents",
        f"({_frozen_ipa('OLD.ipa_id')} OR {_frozen_ipa('NEW.ipa_id')})",
        "IPA is frozen: its documents cannot change",
    ),
    "ipa_documents_delete": _sqlite_trigger(
        "ipa_documents_delete",
        "DELETE",
        "ipa_documents",
        _frozen_ipa("OLD.ipa_id"),
        "IPA is frozen: its documents cannot change",
    ),
}


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in PG_UP:
            op.execute(statement)
    elif dialect == "sqlite":
        for statement in SQLITE_TRIGGERS.values():
            op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in PG_DOWN:
            op.execute(statement)
    elif dialect == "sqlite":
        for name in reversed(SQLITE_TRIGGERS):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
