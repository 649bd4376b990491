import pytest

from tests.offers.helpers import La, pilot_la
from tests.people import People


@pytest.fixture
async def la(people: People) -> La:
    """Stoke-on-Trent, enabled for residential, supported accommodation and fostering."""
    return await pilot_la(people)
