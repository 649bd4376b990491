"""The registration part of ``portal demo``: approved providers of the pilot LAs, with homes
in every category, their people and profile documents (idempotent)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.documents.kinds import DocumentKind
from core.documents.service import store_document
from core.documents.sniff import PDF
from core.documents.storage import DocumentStore, document_store
from core.identity.roles import OrganisationKind, Role
from core.models import Home, Organisation, ProviderRegistration
from core.models.base import utcnow
from core.registration.status import RegistrationStatus
from core.settings import Settings
from portal.demo.world import DemoWorld, add_user


@dataclass(frozen=True)
class DemoHome:
    name: str
    category: str
    min_age: int
    max_age: int
    genders: tuple[str, ...]
    beds: int
    postcode: str
    area: str
    urn: str | None
    contract: str


@dataclass(frozen=True)
class DemoProvider:
    name: str
    slug: str
    la_code: str
    homes: tuple[DemoHome, ...]


ALL = ("FEMALE", "MALE", "OTHER")
PROVIDERS = (
    DemoProvider(
        "Acorn Residential Care",
        "acorn",
        "BIR",
        (
            DemoHome(
                "Oak House",
                "RESIDENTIAL",
                8,
                17,
                ALL,
                4,
                "B15 2TT",
                "Birmingham",
                "SC482911",
                "FRAMEWORK",
            ),
            DemoHome(
                "Elm Lodge",
                "RESIDENTIAL",
                11,
                17,
                ("FEMALE",),
                3,
                "B29 6BD",
                "Birmingham",
                "SC501733",
                "SPOT",
            ),
            DemoHome(
                "Acorn Flats",
                "SUPPORTED_ACCOMMODATION",
                16,
                17,
                ALL,
                6,
                "B5 4BU",
                "Birmingham",
                "2001345",
                "FRAMEWORK",
            ),
        ),
    ),
    DemoProvider(
        "Brightway Fostering",
        "brightway",
        "COV",
        (
            DemoHome(
                "The Khan family",
                "FOSTERING",
                0,
                11,
                ALL,
                2,
                "CV1 2GT",
                "Coventry",
                None,
                "FRAMEWORK",
            ),
            DemoHome(
                "The Walsh family", "FOSTERING", 5, 17, ALL, 1, "CV3 5FE", "Coventry", None, "SPOT"
            ),
        ),
    ),
    DemoProvider(
        "Cedar Family Assessment Centre",
        "cedar",
        "STK",
        (
            DemoHome(
                "Cedar Centre",
                "FAMILY_ASSESSMENT",
                0,
                5,
                ALL,
                3,
                "ST4 2DE",
                "Stoke-on-Trent",
                "SC512340",
                "FRAMEWORK",
            ),
            DemoHome(
                "Cedar View",
                "RESIDENTIAL",
                12,
                17,
                ("MALE",),
                2,
                "ST1 3BP",
                "Stoke-on-Trent",
                "SC512341",
                "SPOT",
            ),
        ),
    ),
    DemoProvider(
        "Dove Supported Living",
        "dove",
        "STK",
        (
            DemoHome(
                "Dove Court",
                "SUPPORTED_ACCOMMODATION",
                16,
                17,
                ALL,
                8,
                "ST6 1AB",
                "Stoke-on-Trent",
                "2004471",
                "FRAMEWORK",
            ),
            DemoHome(
                "Dove Mews",
                "SUPPORTED_ACCOMMODATION",
                16,
                17,
                ("FEMALE",),
                4,
                "ST5 1QG",
                "Stoke-on-Trent",
                "2004472",
                "SPOT",
            ),
        ),
    ),
)

PROFILE_DOCUMENTS = (
    (DocumentKind.INSURANCE, "Insurance certificate", 300),
    (DocumentKind.OFSTED_CERTIFICATE, "Ofsted registration certificate", 500),
    (DocumentKind.STATEMENT_OF_PURPOSE, "Statement of purpose", 200),
)


def demo_pdf(title: str, lines: tuple[str, ...]) -> bytes:
    """A small, valid one-page PDF with a title and some lines of text."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    text = ["BT /F1 18 Tf 72 760 Td (" + escape(title) + ") Tj ET"]
    for number, line in enumerate(lines):
        text.append(f"BT /F1 11 Tf 72 {730 - 16 * number} Td ({escape(line)}) Tj ET")
    stream = "\n".join(text).encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


async def load_providers(
    session: AsyncSession, settings: Settings, world: DemoWorld, password_hash: str
) -> None:
    store = document_store(settings)
    today = date.today()
    for spec in PROVIDERS:
        provider = await session.scalar(
            select(Organisation).where(
                Organisation.kind == OrganisationKind.PROVIDER.value, Organisation.name == spec.name
            )
        )
        if provider is None:
            provider = await _provider(session, store, spec, world.las[spec.la_code], today)
        for local, title, roles in (
            ("admin", "Admin", (Role.PROVIDER_ADMIN, Role.PROVIDER_USER)),
            ("user", "User", (Role.PROVIDER_USER,)),
            ("signatory", "Signatory", (Role.PROVIDER_SIGNATORY,)),
        ):
            await add_user(
                session,
                world,
                organisation_id=provider.id,
                email=f"{spec.slug}.{local}@demo.example",
                name=f"{spec.name} {title}",
                roles=roles,
                password_hash=password_hash,
            )


async def _provider(
    session: AsyncSession, store: DocumentStore, spec: DemoProvider, la_id: uuid.UUID, today: date
) -> Organisation:
    now = utcnow()
    provider = Organisation(
        id=uuid.uuid4(),
        kind=OrganisationKind.PROVIDER.value,
        name=spec.name,
        enabled_categories=[],
        managing_local_authority_id=la_id,
    )
    session.add(provider)
    await session.flush()
    registration = ProviderRegistration(
        id=uuid.uuid4(),
        organisation_id=provider.id,
        status=RegistrationStatus.APPROVED.value,
        details={"organisationName": spec.name, "contactEmail": f"{spec.slug}.admin@demo.example"},
        submitted_at=now,
        decided_at=now,
        decision_reason=None,
    )
    session.add(registration)
    await session.flush()
    for row, home in enumerate(spec.homes, start=2):
        session.add(
            Home(
                registration_id=registration.id,
                provider_id=provider.id,
                name=home.name,
                category=home.category,
                min_age=home.min_age,
                max_age=home.max_age,
                accepts_female="FEMALE" in home.genders,
                accepts_male="MALE" in home.genders,
                accepts_other="OTHER" in home.genders,
                beds=home.beds,
                postcode=home.postcode,
                local_authority_area=home.area,
                ofsted_urn=home.urn,
                contract_type=home.contract,
                row_number=row,
            )
        )
    documents = list(PROFILE_DOCUMENTS)
    if any(home.category == "SUPPORTED_ACCOMMODATION" for home in spec.homes):
        documents.append((DocumentKind.APPENDIX, "Supported accommodation appendix", 365))
    for kind, title, days in documents:
        expires = today + timedelta(days=days)
        await store_document(
            session,
            store,
            organisation_id=provider.id,
            kind=kind,
            name=f"{title} - {spec.name}.pdf",
            file_type=PDF,
            data=demo_pdf(
                f"{title}: {spec.name}",
                ("Demo document for the placement portal.", f"Valid until {expires:%d %B %Y}."),
            ),
            uploaded_by_id=None,
            expires_on=expires,
        )
    return provider
