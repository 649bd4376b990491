"""Offers and IPAs as PDFs: made from the print views, for the same people (contract 13)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from schema.node import encode_id
from tests.ipas.given import Scene
from tests.ipas.test_print import _get, _signed

PDF_URLS = """
query ($ipa: ID!, $offer: ID!) {
  ipa: node(id: $ipa) { ... on IndividualPlacementAgreement { pdfUrl } }
  offer: node(id: $offer) { ... on Offer { pdfUrl } }
}"""


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    # PDF text extraction may break long words (a hash) across lines: join them back.
    return "".join("".join(page.extract_text() or "" for page in reader.pages).split())


async def test_a_signed_ipa_downloads_as_a_pdf_with_its_reference_fees_and_hash(
    ipa_scene: Scene,
) -> None:
    # given
    s = ipa_scene
    ipa = await _signed(s)
    # when
    response = await _get(s, f"/ipas/{ipa['id']}.pdf", token=s.caseworker.token)
    # then
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "private, no-store"
    text = _text(response.content)
    assert ipa["contentHash"] in text
    assert ipa["terms"]["referralReference"] in text
    assert "£1250.00" in text
    assert "Signatures" in text


async def test_an_offer_downloads_as_a_pdf_with_its_reference_and_fees(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    offer = await s.offer()
    # when
    response = await _get(
        s, f"/offers/{encode_id('Offer', offer)}.pdf", token=s.provider_user.token
    )
    # then
    assert response.status_code == 200
    text = _text(response.content)
    assert "£1250.00" in text
    assert "Offerforreferral" in text and "OakHouse" in text


async def test_the_pdf_urls_name_the_pdf_addresses(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    offer = await s.offer()
    from tests.ipas.helpers import generate

    ipa = await generate(s, offer)
    # when
    data = await s.client.data(
        PDF_URLS, {"ipa": ipa["id"], "offer": encode_id("Offer", offer)}, token=s.caseworker.token
    )
    # then
    assert data["ipa"]["pdfUrl"].endswith(f"/ipas/{ipa['id']}.pdf")
    assert data["offer"]["pdfUrl"].endswith(f"/offers/{encode_id('Offer', offer)}.pdf")


async def test_only_those_who_may_print_may_download_the_pdfs(ipa_scene: Scene) -> None:
    # given
    s = ipa_scene
    offer = await s.offer()
    from tests.ipas.helpers import generate

    draft = await generate(s, offer)
    stranger = await s.people.provider_admin()
    # when / then
    for path in (f"/offers/{encode_id('Offer', offer)}.pdf", f"/ipas/{draft['id']}.pdf"):
        assert (await _get(s, path, token=stranger.token)).status_code == 404, path
        assert (await _get(s, path)).status_code == 404, path
    assert (
        await _get(s, f"/ipas/{draft['id']}.pdf", token=s.la_signatory.token)
    ).status_code == 404
