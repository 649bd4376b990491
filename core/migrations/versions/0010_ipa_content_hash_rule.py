"""ipas.content_hash_rule: which serialisation an IPA's contentHash was made with

contentHash is now SHA-256 of the RFC 8785 (JSON Canonicalization Scheme) serialisation of
{"terms": ..., "documents": [...]}, so anyone can recompute it with a standard library.
The earlier rule (Python's json.dumps with sorted keys, no whitespace, UTF-8) gives the same
bytes for everything but some numbers (40.0 is "40.0" there, "40" in RFC 8785) and keys
outside the Basic Multilingual Plane. A frozen IPA's hash never changes (it is what was
signed; migration 0008's triggers keep it), so each frozen IPA records the rule its hash was
made by: RFC8785 where both rules give that hash (nearly every IPA), LEGACY_JSON where only
the old one does. The service verifies each IPA by its own rule.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 03:10:00
"""

import hashlib
import json
import logging
from collections.abc import Sequence

import rfc8785
import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

logger = logging.getLogger("alembic.runtime.migration")


def _legacy(content: object) -> str:
    serialised = json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(serialised.encode("utf-8")).hexdigest()


def _rfc8785(content: object) -> str | None:
    try:
        return hashlib.sha256(rfc8785.dumps(content)).hexdigest()
    except rfc8785.CanonicalizationError:  # e.g. an integer beyond 2**53
        return None


def upgrade() -> None:
    op.add_column(
        "ipas",
        sa.Column(
            "content_hash_rule", sa.String(16), nullable=False, server_default="RFC8785"
        ),
    )
    bind = op.get_bind()
    frozen = bind.execute(
        sa.text("SELECT id, terms, content_hash FROM ipas WHERE content_hash IS NOT NULL")
    ).all()
    legacy = 0
    for ipa_id, terms, stored in frozen:
        if isinstance(terms, str | bytes):
            terms = json.loads(terms)
        documents = list(
            bind.execute(
                sa.text(
                    "SELECT documents.sha256 FROM ipa_documents JOIN documents "
                    "ON documents.id = ipa_documents.document_id "
                    "WHERE ipa_documents.ipa_id = :id ORDER BY ipa_documents.position"
                ),
                {"id": ipa_id},
            ).scalars()
        )
        content = {"terms": terms, "documents": documents}
        if _rfc8785(content) == stored:
            continue
        if _legacy(content) == stored:
            legacy += 1
            bind.execute(
                sa.text("UPDATE ipas SET content_hash_rule = 'LEGACY_JSON' WHERE id = :id"),
                {"id": ipa_id},
            )
            continue
        raise RuntimeError(f"IPA {ipa_id}: its contentHash matches neither rule")
    logger.info(
        "%d frozen IPAs: %d hashed as RFC 8785 gives, %d by the earlier rule (LEGACY_JSON)",
        len(frozen),
        len(frozen) - legacy,
        legacy,
    )


def downgrade() -> None:
    op.drop_column("ipas", "content_hash_rule")
