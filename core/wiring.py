"""The core's registries, filled by explicit calls from the composition root.

Nothing in ``core/`` registers itself as a side effect of being imported: the app's factory
(``schema.app.create_app``), the command line and the tests' conftest call :func:`wire_core`
once at start-up, and a registry read before that raises rather than answering as if empty.

What is wired here:
- the document access rules (:mod:`core.documents.access`): who may see a document, one rule
  per domain that attaches documents, listed in :data:`DOCUMENT_RULES`.
"""

from __future__ import annotations

from core.documents.access import (
    DocumentRule,
    own_organisation,
    provider_profiles,
    set_document_rules,
    spreadsheet_for_reviewers,
)
from core.ipas.documents import parties_of_the_ipa
from core.messages.documents import parties_of_the_thread
from core.offers.documents import la_of_the_offered_referral
from core.referrals.documents import recipients_of_the_version

#: Every way a viewer may see a document (any one grants), in the order they are tried.
DOCUMENT_RULES: tuple[DocumentRule, ...] = (
    own_organisation,
    provider_profiles,
    spreadsheet_for_reviewers,
    recipients_of_the_version,
    la_of_the_offered_referral,
    parties_of_the_ipa,
    parties_of_the_thread,
)


def wire_core() -> None:
    """Fill the core's registries; calling it again changes nothing."""
    set_document_rules(DOCUMENT_RULES)
