"""Small steps the IPA tests share: generate, enable, sign through the API."""

from __future__ import annotations

import uuid
from typing import Any

from schema.node import encode_id
from tests.ipas.given import Scene, offer_id
from tests.ipas.operations import ENABLE, GENERATE, SIGN, UPDATE_DRAFT
from tests.registration.helpers import PDF, UPLOAD_DOCUMENT, upload_data


async def generate(s: Scene, offer: uuid.UUID | None = None) -> dict[str, Any]:
    offer = offer or await s.offer()
    payload = (await s.client.data(GENERATE, {"id": offer_id(offer)}, token=s.caseworker.token))[
        "generateIpa"
    ]
    assert not payload["userErrors"], payload["userErrors"]
    return payload["ipa"]


async def update_draft(s: Scene, ipa_id: str, **input: Any) -> dict[str, Any]:
    return (
        await s.client.data(
            UPDATE_DRAFT, {"input": {"id": ipa_id, **input}}, token=s.caseworker.token
        )
    )["updateIpaDraft"]


async def enable(s: Scene, ipa_id: str) -> dict[str, Any]:
    payload = (await s.client.data(ENABLE, {"id": ipa_id}, token=s.caseworker.token))[
        "enableIpaForSigning"
    ]
    assert not payload["userErrors"], payload["userErrors"]
    return payload["ipa"]


async def ready(s: Scene, offer: uuid.UUID | None = None) -> dict[str, Any]:
    return await enable(s, (await generate(s, offer))["id"])


async def sign(token: str, s: Scene, ipa_id: str, on_behalf_of: str | None = None) -> dict:
    return (await s.client.data(SIGN, {"id": ipa_id, "onBehalfOf": on_behalf_of}, token=token))[
        "signIpa"
    ]


async def attachment(
    s: Scene, name: str = "care-plan.pdf", token: str | None = None, kind: str = "IPA_ATTACHMENT"
) -> str:
    data = await upload_data(
        s.client.http,
        UPLOAD_DOCUMENT,
        {"kind": kind},
        filename=name,
        data=PDF + uuid.uuid4().hex.encode(),
        token=token or s.caseworker.token,
        content_type="application/pdf",
    )
    payload = data["uploadDocument"]
    assert not payload["userErrors"], payload["userErrors"]
    return payload["document"]["id"]


def user_id(person: Any) -> str:
    return encode_id("User", person.user_id)


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["userErrors"]]
