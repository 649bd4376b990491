import pytest

from core.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings with webhooks allowed to reach loopback (the local receivers the
    webhook tests start)."""
    return settings.model_copy(update={"webhook_allow_private": True})
