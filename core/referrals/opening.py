"""When a provider first opened a referral delivered to it: the list's "New" tag is the
organisation's, not each person's, so the first of its case staff to open the delivered
version (its page, or ``node`` through the API) takes it away for everyone there.

Listing referrals is not opening one; an LA, the platform, a signatory-only person or an API
token reading it never counts (``core.access.opens_for_organisation``). Sending a new version
to the provider makes it new again (``core.referrals.service``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update

from core.access import opens_for_organisation
from core.db import Database, rowcount
from core.identity.viewer import Viewer
from core.models import ReferralDelivery
from core.models.base import utcnow


async def mark_opened(db: Database, viewer: Viewer, delivery_id: uuid.UUID) -> datetime | None:
    """Record that ``viewer``'s organisation opened its delivery ``delivery_id``, if nobody of
    it had yet: the time recorded, or None when it was already open (or the viewer does not
    count, or the delivery is not their organisation's). One conditional UPDATE in a unit of
    work of its own: two colleagues opening it at once record the first."""
    if not opens_for_organisation(viewer):
        return None
    now = utcnow()
    async with db.transaction() as session:
        result = await session.execute(
            update(ReferralDelivery)
            .where(
                ReferralDelivery.id == delivery_id,
                ReferralDelivery.provider_id == viewer.organisation_id,
                ReferralDelivery.opened_at.is_(None),
            )
            .values(opened_at=now)
            .execution_options(synchronize_session=False)
        )
    return now if rowcount(result) else None
