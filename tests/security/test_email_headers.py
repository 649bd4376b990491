"""Finding 14: user text never reaches an email header; a withdrawal reason with CR/LF makes
an email that can be built and sent, not one retried forever."""

from __future__ import annotations

from sqlalchemy import select

from core.models import OutboxEmail
from core.notifications.outbox import PendingEmail
from core.notifications.smtp import build_message
from tests.people import People
from tests.referrals.conftest import la  # noqa: F401  (the fixture)
from tests.referrals.homes import HomeSpec, provider_with_homes
from tests.referrals.operations import CREATE, SEND, WITHDRAW, referral_input


async def test_a_withdrawal_reason_with_line_breaks_makes_a_buildable_email(
    people: People,
    la,  # noqa: F811
    client,
) -> None:
    # given a referral delivered to a provider
    await provider_with_homes(people, HomeSpec())
    created = (await client.data(CREATE, referral_input(), token=la.caseworker.token))[
        "createReferral"
    ]["referral"]
    await client.data(SEND, {"id": created["id"]}, token=la.caseworker.token)

    # when the LA withdraws it with a reason holding CR/LF and a forged header
    reason = "Placed elsewhere\r\nBcc: attacker@example.org\r\n\r\nbody"
    withdrawn = await client.data(
        WITHDRAW, {"id": created["id"], "reason": reason}, token=la.caseworker.token
    )

    # then every queued email has a one-line subject without the user's text, and builds
    assert withdrawn["withdrawReferral"]["userErrors"] == []
    async with people.db.session() as session:
        emails = (await session.scalars(select(OutboxEmail))).all()
    withdrawals = [e for e in emails if e.kind == "REFERRAL_WITHDRAWN"]
    assert withdrawals
    for email in withdrawals:
        assert "\r" not in email.subject and "\n" not in email.subject
        assert "attacker" not in email.subject
        message = build_message(
            PendingEmail(
                id=email.id,
                recipient=email.recipient,
                subject=email.subject,
                body=email.body,
                message_id=email.message_id,
                created_at=email.created_at,
                attempts=0,
                claimed_until=email.created_at,
            ),
            "portal@example.org",
        )
        assert message["Bcc"] is None
        assert message.as_bytes()
