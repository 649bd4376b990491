"""Finding 9: weak and common passwords are refused (zxcvbn's strength, and an offline list of
the 10,000 most common passwords); a sub-addressed shared mailbox is still a shared mailbox."""

from __future__ import annotations

import pytest

from tests.identity.test_accounts import SIGN_UP, _sign_up


@pytest.mark.parametrize(
    ("password", "says"),
    [
        ("aaaaaaaaaaaa", "stronger"),
        ("1qaz2wsx3edc", "most common passwords"),
    ],
)
async def test_a_weak_or_common_password_is_refused_at_sign_up(
    client, password: str, says: str
) -> None:
    # when
    data = await client.data(SIGN_UP, _sign_up(password=password))

    # then
    (error,) = data["signUpProvider"]["userErrors"]
    assert error["field"] == ["input", "password"]
    assert says in error["message"]


@pytest.mark.parametrize("email", ["referrals+123@example.org", "Referrals+team@example.org"])
async def test_a_sub_addressed_shared_mailbox_is_refused(client, email: str) -> None:
    # when
    data = await client.data(SIGN_UP, _sign_up(email=email))

    # then
    (error,) = data["signUpProvider"]["userErrors"]
    assert error["field"] == ["input", "email"]
    assert "shared mailbox" in error["message"]
