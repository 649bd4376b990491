"""The kinds of document the portal keeps."""

from __future__ import annotations

from enum import StrEnum


class DocumentKind(StrEnum):
    INSURANCE = "INSURANCE"
    OFSTED_CERTIFICATE = "OFSTED_CERTIFICATE"
    STATEMENT_OF_PURPOSE = "STATEMENT_OF_PURPOSE"
    REGISTRATION_SPREADSHEET = "REGISTRATION_SPREADSHEET"
    REFERRAL_FORM = "REFERRAL_FORM"
    APPENDIX = "APPENDIX"
    IPA_ATTACHMENT = "IPA_ATTACHMENT"
    #: A document about one referral (a care plan, a risk assessment): seen only by the
    #: parties of the referral it is attached to (a message, an offer or an IPA).
    CASE_DOCUMENT = "CASE_DOCUMENT"
    OTHER = "OTHER"


#: Documents on a provider's profile (``Organisation.documents``); they may have an expiry date.
#: Every other kind (``CASE_DOCUMENT``, ``OTHER``, referral forms, IPA attachments) is a case
#: document: seen by its own organisation and by the parties of what it is attached to, no more.
PROFILE_KINDS = frozenset(
    {
        DocumentKind.INSURANCE,
        DocumentKind.OFSTED_CERTIFICATE,
        DocumentKind.STATEMENT_OF_PURPOSE,
        DocumentKind.APPENDIX,
    }
)

#: What each kind of organisation may upload with ``uploadDocument`` (the registration
#: spreadsheet comes only through ``uploadRegistrationSpreadsheet``).
UPLOADABLE_KINDS: dict[str, frozenset[DocumentKind]] = {
    "PROVIDER": PROFILE_KINDS | {DocumentKind.CASE_DOCUMENT, DocumentKind.OTHER},
    "LOCAL_AUTHORITY": frozenset(
        {
            DocumentKind.REFERRAL_FORM,
            DocumentKind.IPA_ATTACHMENT,
            DocumentKind.CASE_DOCUMENT,
            DocumentKind.OTHER,
        }
    ),
}
