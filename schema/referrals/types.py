"""Referrals and deliveries as the API shows them: an LA sees its own, a provider the version
delivered to it and nothing of other providers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from core.access import may_query
from core.children.access_log import Subject, note_read
from core.documents import queries as document_queries
from core.models import Referral as ReferralRow
from core.models import ReferralDelivery as DeliveryModel
from core.referrals import opening, queries
from core.referrals.kinds import DeliveryStatus as _DeliveryStatus
from core.referrals.kinds import ReferralStatus as _ReferralStatus
from core.referrals.kinds import Urgency as _Urgency
from schema.context import Info
from schema.documents.types import Document
from schema.enums import CareCategory, DeclineReasonCode, Gender
from schema.identity.types import Organisation
from schema.node import Node, encode_id
from schema.pagination import PageInfo, encode_cursor
from schema.registration.types import Home

if TYPE_CHECKING:
    from schema.ipas.types import IndividualPlacementAgreement
    from schema.messages.types import MessageThread
    from schema.offers.types import Offer

ReferralStatus = _ReferralStatus
DeliveryStatus = _DeliveryStatus
Urgency = _Urgency


# Members by stored value: a dict lookup, where calling the enum class costs about ten times
# as much, and a page of 50 referrals converts some 250 values.
_STATUSES = {m.value: m for m in ReferralStatus}
_DELIVERY_STATUSES = {m.value: m for m in DeliveryStatus}
_URGENCIES = {m.value: m for m in Urgency}
_GENDERS = {m.value: m for m in Gender}
_CODES = {m.value: m for m in DeclineReasonCode}
#: CareCategory values by stored value, made once each (its values come from the plugins).
_CATEGORIES: dict[str, CareCategory] = {}


def _category(value: str) -> CareCategory:
    category = _CATEGORIES.get(value)
    if category is None:
        category = _CATEGORIES[value] = CareCategory(value)
    return category


#: Instances of the strawberry types here are made by ``object.__new__`` and given their
#: ``__dict__`` (every field, defaults included), as their dataclass ``__init__`` would make
#: them without that call's per-argument cost: a page of 50 referrals makes some 200
#: (tests/referrals/test_types.py compares with ``__init__``).
_new = object.__new__


@strawberry.type
class ReferralChild:
    age: int
    gender: Gender
    needs: str | None


@strawberry.type
class ReferralDelivery(Node):
    key: strawberry.Private[uuid.UUID]
    provider_key: strawberry.Private[uuid.UUID]
    status: DeliveryStatus
    version: int = strawberry.field(description="The referral version that was delivered.")
    delivered_at: datetime
    decline_reason: str | None
    decline_reason_code: DeclineReasonCode | None
    responded_at: datetime | None = strawberry.field(
        default=None,
        description="When the provider first responded to the delivered version (an offer, a "
        "decline or a message); null while it has not: the LA sees who missed the deadline.",
    )
    opened_at: datetime | None = strawberry.field(
        default=None,
        description="When someone of the provider's staff first opened the delivered version "
        "(its page in the web client, or `node` through the API; listing referrals is not "
        "opening one); null while nobody has, and again when a new version is delivered. "
        "Providers show a referral as new until then.",
    )

    # Node.id, as a resolver here:
    @strawberry.field  # type: ignore[misc]
    def id(self) -> strawberry.ID:  # type: ignore[override]  # the interface's attribute
        # Encoded when asked for: a provider's list carries its own delivery on every row.
        return encode_id("ReferralDelivery", self.key)

    @classmethod
    def of(cls, row: DeliveryModel) -> ReferralDelivery:
        made: ReferralDelivery = _new(cls)
        made.__dict__ = {
            "key": row.id,
            "provider_key": row.provider_id,
            "status": _DELIVERY_STATUSES[row.status],
            "version": row.version,
            "delivered_at": row.delivered_at,
            "decline_reason": row.decline_reason,
            "decline_reason_code": _CODES.get(row.decline_reason_code or ""),
            "responded_at": row.responded_at,
            "opened_at": row.opened_at,
        }
        return made

    @strawberry.field
    async def provider(self, info: Info) -> Organisation:
        return Organisation.of(
            await info.context.loaders.organisation_by_id.load(self.provider_key)
        )

    @strawberry.field(
        description="The provider's homes that matched this version: why it was delivered."
    )
    async def matched_homes(self, info: Info) -> list[Home]:
        rows = await info.context.loaders.get(queries.matched_homes_by_delivery_ids).load(self.key)
        return [Home.of(r) for r in rows]


@strawberry.type
class Referral(Node):
    key: strawberry.Private[uuid.UUID]
    local_authority_key: strawberry.Private[uuid.UUID]
    reference: str = strawberry.field(description="Human-readable, unique, e.g. BIR-2026-000042.")
    category: CareCategory
    status: ReferralStatus
    created_at: datetime
    sent_at: datetime | None
    version: int = strawberry.field(
        description="Increases by one each time the referral's content changes."
    )
    urgency: Urgency
    children: list[ReferralChild]
    summary: str
    postcode: str | None
    required_from: date | None
    details: JSON
    respond_by: datetime | None = strawberry.field(
        description="When providers are asked to respond by (an offer, a decline or a message)."
    )
    # Read with the referral wherever a provider sees one (its list, node(), offers, messages,
    # IPAs), so it is a plain field: no resolver call per row of a list.
    my_delivery: ReferralDelivery | None = strawberry.field(
        description="The viewing provider's own delivery; null for local authority users."
    )
    #: Set by :meth:`redacted`: its relations (documents, thread, offers...) answer nothing.
    without_case_details: strawberry.Private[bool] = False
    #: A provider's view: the documents of the version delivered to it, not the live ones.
    version_document_keys: strawberry.Private[tuple[uuid.UUID, ...] | None] = None
    purged: bool = strawberry.field(
        description="True once the retention period purged its personal data; only "
        "statistics remain.",
        default=False,
    )

    @classmethod
    def of(
        cls,
        row: ReferralRow,
        snapshot: dict[str, Any] | None = None,
        version: int | None = None,
        delivery: DeliveryModel | None = None,
    ) -> Referral:
        """The LA's view (live content), or a provider's view of ``snapshot`` (``version``).

        ``delivery`` is the viewing provider's own delivery of it, if any: only a provider with
        case details is ever given one (never a signatory-only user, never an LA).
        """
        note_read(Subject.REFERRAL, row.id, row.id, version or row.version)
        return make_referral(row, snapshot, version, delivery)

    @classmethod
    def redacted(
        cls,
        row: ReferralRow,
        children: list[dict[str, Any]] | None = None,
        urgency: str | None = None,
    ) -> Referral:
        """No case details: reference, category, urgency, the children's ages and genders
        (as an IPA's terms give them, when given), and none of its relations."""
        note_read(Subject.REFERRAL, row.id, row.id, row.version)
        return make_redacted(row, children, urgency)

    def _is_mine_as_la(self, info: Info) -> bool:
        viewer = info.context.viewer
        return (
            viewer is not None
            and viewer.organisation_id == self.local_authority_key
            and not viewer.is_signatory_only
        )

    def _signatory_only(self, info: Info) -> bool:
        """A signatory-only user reaches a referral only through an IPA: no case details."""
        viewer = info.context.viewer
        return self.without_case_details or viewer is None or viewer.is_signatory_only

    @strawberry.field
    async def local_authority(self, info: Info) -> Organisation:
        return Organisation.of(
            await info.context.loaders.organisation_by_id.load(self.local_authority_key)
        )

    @strawberry.field
    async def documents(self, info: Info) -> list[Document]:
        if self._signatory_only(info):
            return []
        if self.version_document_keys is not None:
            found = await info.context.loaders.get(document_queries.documents_by_ids).load_many(
                list(self.version_document_keys)
            )
            return [Document.of(r) for r in found if r is not None]
        rows = await info.context.loaders.get(queries.documents_by_referral_ids).load(self.key)
        return [Document.of(r) for r in rows]

    @strawberry.field(description="LA users name the provider; a provider gets its own thread.")
    async def thread(
        self, info: Info, provider_id: strawberry.ID | None = None
    ) -> Annotated[MessageThread, strawberry.lazy("schema.messages.types")] | None:
        from schema.messages.types import thread_of_referral

        if self._signatory_only(info):
            return None
        return await thread_of_referral(info, self.key, self.local_authority_key, provider_id)

    @strawberry.field(description="Local authority only: who received it.")
    async def deliveries(self, info: Info) -> list[ReferralDelivery]:
        if not self._is_mine_as_la(info):
            return []
        rows = await info.context.loaders.get(queries.deliveries_by_referral_ids).load(self.key)
        return [ReferralDelivery.of(r) for r in rows]

    @strawberry.field(description="LA users see every offer; a provider sees its own.")
    async def offers(
        self, info: Info
    ) -> list[Annotated[Offer, strawberry.lazy("schema.offers.types")]]:
        from schema.offers.types import offers_of_referral

        if self._signatory_only(info):
            return []
        return await offers_of_referral(info, self.key, self.local_authority_key)

    @strawberry.field(
        description="The referral's live IPA (or else its latest), if the viewer may see it."
    )
    async def ipa(
        self, info: Info
    ) -> Annotated[IndividualPlacementAgreement, strawberry.lazy("schema.ipas.types")] | None:
        from schema.ipas.types import current_ipa_of_referral

        return await current_ipa_of_referral(info, self.key)


@strawberry.type
class ReferralEdge:
    @strawberry.field
    def cursor(self) -> str:
        """Made only when asked for: most clients page with ``pageInfo.endCursor``."""
        return self.cursor_value()

    def cursor_value(self) -> str:
        return encode_cursor(self.node.created_at, self.node.key)

    node: Referral


@strawberry.type
class ReferralConnection:
    #: A page's edges are a RowList (schema/rows.py), made only if read as a list.
    edges: Sequence[ReferralEdge]
    page_info: PageInfo
    #: Counts the viewer's list when ``totalCount`` is asked for (a statement of its own).
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.count()


# What a viewer sees of a referral, made from its rows (imported here, once the types exist,
# for the modules that import them from here).
from schema.referrals.making import (  # noqa: E402
    make_redacted,
    make_referral,
    referral_for_viewer,
)


async def referral_node(info: Info, key: uuid.UUID) -> Referral | None:
    viewer = info.context.viewer
    if viewer is None or not may_query(viewer, "referrals"):
        return None
    async with info.context.read() as session:
        row = await queries.visible_referral(session, viewer, key)
    if row is None:
        return None
    referral = referral_for_viewer(row, viewer)
    delivery = referral.my_delivery
    if delivery is not None and delivery.opened_at is None:
        # Fetching it is opening it: no longer "New" to anyone of the provider.
        opened = await opening.mark_opened(info.context.db, viewer, delivery.key)
        delivery.opened_at = opened or delivery.opened_at
    return referral
