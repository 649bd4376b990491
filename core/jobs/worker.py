"""The module ``portal worker`` hands to Dramatiq: sets up the broker, then imports the actors."""

from core.jobs.broker import configure_broker
from core.settings import load_settings

broker = configure_broker(load_settings())

import core.jobs.actors  # noqa: E402,F401  (actors register on the broker above)
