import pytest

from tests.ipas.given import Scene, scene


@pytest.fixture
async def ipa_scene(people, client) -> Scene:
    return await scene(people, client)
