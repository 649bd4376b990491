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
    OTHER = "OTHER"


#: Documents on a provider's profile (``Organisation.documents``); they may have an expiry date.
PROFILE_KINDS = frozenset(
    {
        DocumentKind.INSURANCE,
        DocumentKind.OFSTED_CERTIFICATE,
        DocumentKind.STATEMENT_OF_PURPOSE,
        DocumentKind.APPENDIX,
        DocumentKind.OTHER,
    }
)

#: What each kind of organisation may upload with ``uploadDocument`` (the registration
#: spreadsheet comes only through ``uploadRegistrationSpreadsheet``).
UPLOADABLE_KINDS: dict[str, frozenset[DocumentKind]] = {
    "PROVIDER": PROFILE_KINDS,
    "LOCAL_AUTHORITY": frozenset(
        {DocumentKind.REFERRAL_FORM, DocumentKind.IPA_ATTACHMENT, DocumentKind.OTHER}
    ),
}
