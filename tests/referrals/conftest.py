from dataclasses import dataclass

import pytest

from tests.people import People, Person


@dataclass
class La:
    id: object
    caseworker: Person


@pytest.fixture
async def la(people: People) -> La:
    """Birmingham, enabled for residential and supported accommodation, and a caseworker."""
    la_id = await people.local_authority(
        "Birmingham", "BIR", ("RESIDENTIAL", "SUPPORTED_ACCOMMODATION", "FAMILY_ASSESSMENT")
    )
    return La(id=la_id, caseworker=await people.caseworker(la_id))
