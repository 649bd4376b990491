"""``portal demo``: demo data for trying the portal on a laptop (idempotent).

Each domain adds its part here as it lands; running it twice changes nothing.
"""

from __future__ import annotations

from core.db import Database, create_engine
from core.settings import Settings


async def load_demo(settings: Settings) -> list[str]:
    """Load the demo data; return the lines to print (how to log in)."""
    db = Database(create_engine(settings.database_url))
    try:
        async with db.transaction():
            pass
    finally:
        await db.dispose()
    return [
        "Demo data loaded.",
        f"GraphiQL: {settings.base_url}/graphql",
    ]
