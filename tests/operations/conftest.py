import pytest

from core.settings import Settings

METRICS_TOKEN = "metrics-token-0123456789abcdef"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The test settings with a metrics token, and webhooks allowed to reach loopback (the
    local receivers the webhook tests start)."""
    return settings.model_copy(
        update={"metrics_token": METRICS_TOKEN, "webhook_allow_private": True}
    )
