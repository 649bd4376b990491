"""The shape of the registration workbook, shared by the template and the parser."""

from __future__ import annotations

ORGANISATION_SHEET = "Organisation"
HOMES_SHEET = "Homes"
INSTRUCTIONS_SHEET = "Instructions"

ORGANISATION_NAME = "Organisation name"
COMPANIES_HOUSE_NUMBER = "Companies House number"
CONTACT_NAME = "Main contact name"
CONTACT_EMAIL = "Main contact email"
CONTACT_PHONE = "Main contact phone"
MANAGING_LOCAL_AUTHORITY = "Managing local authority"

# Column A of the Organisation sheet, top to bottom; the values go in column B.
ORGANISATION_LABELS: tuple[str, ...] = (
    ORGANISATION_NAME,
    COMPANIES_HOUSE_NUMBER,
    CONTACT_NAME,
    CONTACT_EMAIL,
    CONTACT_PHONE,
    MANAGING_LOCAL_AUTHORITY,
)

HOME_NAME = "Home name"
CARE_CATEGORY = "Care category"
MINIMUM_AGE = "Minimum age"
MAXIMUM_AGE = "Maximum age"
GENDERS_ACCEPTED = "Genders accepted"
BEDS = "Beds"
POSTCODE = "Postcode"
LOCAL_AUTHORITY_AREA = "Local authority area"
OFSTED_URN = "Ofsted URN"
CONTRACT_TYPE = "Contract type"

# Row 1 of the Homes sheet in the template's order (an upload may have them in any order).
HOME_HEADERS: tuple[str, ...] = (
    HOME_NAME,
    CARE_CATEGORY,
    MINIMUM_AGE,
    MAXIMUM_AGE,
    GENDERS_ACCEPTED,
    BEDS,
    POSTCODE,
    LOCAL_AUTHORITY_AREA,
    OFSTED_URN,
    CONTRACT_TYPE,
)

BEDS_FREE = "Beds free"
BEDS_FREE_FROM = "Beds free from"

# Optional columns after the required ones: the home's vacancies, declared with the upload
# (as ``updateHomeVacancy`` would, confirmed at upload time). Blank: no declaration.
OPTIONAL_HOME_HEADERS: tuple[str, ...] = (BEDS_FREE, BEDS_FREE_FROM)

# Display label -> stored value, for the two closed lists.
GENDER_CHOICES: tuple[tuple[str, str], ...] = (
    ("Female", "FEMALE"),
    ("Male", "MALE"),
    ("Other", "OTHER"),
)
ANY_GENDER = "Any"
CONTRACT_TYPE_CHOICES: tuple[tuple[str, str], ...] = (
    ("Framework", "FRAMEWORK"),
    ("Spot", "SPOT"),
)

YOUNGEST_AGE = 0
OLDEST_AGE = 17
MAX_HOMES = 2000
MAX_TEXT_LENGTH = 200


def header_key(text: str) -> str:
    """How headers, labels and list choices are compared: spacing and case do not matter."""
    return " ".join(text.split()).casefold()
