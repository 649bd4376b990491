"""The module ``portal worker`` hands to Dramatiq: sets up logging and the broker, then imports
the actors. On SIGTERM Dramatiq stops taking messages and finishes those in hand first."""

from core.jobs.broker import configure_broker
from core.observability.logs import configure_logging
from core.settings import load_settings

settings = load_settings()
configure_logging(settings.log_format)
broker = configure_broker(settings)

import core.jobs.actors  # noqa: E402,F401  (actors register on the broker above)
