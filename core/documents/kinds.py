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
