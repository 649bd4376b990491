"""Global ids: ``base64url("Type:hex")`` without padding, however the prefix is encoded."""

from __future__ import annotations

import base64
import uuid

import asyncpg.pgproto.pgproto as pgproto
import pytest

from schema.node import decode_any_id, encode_id


def _as_base64_makes_it(type_name: str, key: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key.hex}".encode()).decode().rstrip("=")


# "Referral:" and "Offer:"-like prefixes are whole 3-byte groups (encoded once per type), the
# others are not (encoded with the key every time).
@pytest.mark.parametrize(
    "type_name", ["Referral", "ReferralDelivery", "Offer", "User", "Home", "AB", "A", "ApiToken"]
)
def test_an_id_is_base64url_of_the_type_and_key(type_name: str) -> None:
    for _ in range(200):
        # given: a key as Python makes it, and as asyncpg reads it
        key = uuid.uuid4()
        read = pgproto.UUID(key.bytes)
        # when
        encoded = encode_id(type_name, key)
        # then
        assert encoded == _as_base64_makes_it(type_name, key) == encode_id(type_name, read)
        assert decode_any_id(encoded) == (type_name, key)
