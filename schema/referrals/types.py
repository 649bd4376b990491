"""Referrals and deliveries as the API shows them: an LA sees its own, a provider the version
delivered to it and nothing of other providers."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from core.access import may_query, sees_case_details
from core.children.access_log import Subject, note_read, note_reads
from core.documents import queries as document_queries
from core.identity.viewer import Viewer
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
from schema.json import as_json
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
        return _referral(row, snapshot, version, delivery)

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
        return _redacted(row, children, urgency)

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
    edges: list[ReferralEdge]
    page_info: PageInfo
    #: Counts the viewer's list when ``totalCount`` is asked for (a statement of its own).
    count: strawberry.Private[Callable[[], Awaitable[int]]]

    @strawberry.field
    async def total_count(self) -> int:
        return await self.count()


def _required_from(snapshot: dict[str, Any]) -> date | None:
    stamp = snapshot.get("requiredFrom")
    return date.fromisoformat(stamp) if stamp else None


def _details(snapshot: dict[str, Any]) -> JSON:
    return as_json(snapshot.get("details") or {})


def _document_keys(snapshot: dict[str, Any]) -> tuple[uuid.UUID, ...]:
    documents = snapshot.get("documentIds")
    return tuple(map(uuid.UUID, documents)) if documents else ()


_MISSING: Any = object()


class _FromSnapshot:
    """A field of a provider's view (:func:`_referral` given a snapshot) made from the
    snapshot when first read, then kept in the instance's ``__dict__`` as ``__init__`` keeps
    it: a list reads few of them. A non-data descriptor set on the class after strawberry
    made it: an instance holding the field (every other one) never calls it."""

    __slots__ = ("default", "make", "name")

    def __init__(self, name: str, make: Callable[[dict[str, Any]], Any], default: Any) -> None:
        self.name = name
        self.make = make
        self.default = default

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            # On the class, as the dataclass left it: its default, if it has one.
            if self.default is _MISSING:
                raise AttributeError(self.name)
            return self.default
        fields = instance.__dict__
        value = fields[self.name] = self.make(fields["_snapshot"])
        return value


for _name, _make, _default in (
    ("required_from", _required_from, _MISSING),
    ("details", _details, _MISSING),
    ("version_document_keys", _document_keys, None),
):
    setattr(Referral, _name, _FromSnapshot(_name, _make, _default))


def _referral(
    row: ReferralRow,
    snapshot: dict[str, Any] | None,
    version: int | None,
    delivery: DeliveryModel | None,
) -> Referral:
    """:meth:`Referral.of` without noting the read (a page notes its reads at once)."""
    if snapshot:
        children = snapshot["children"]
        urgency = snapshot["urgency"]
        summary = snapshot["summary"]
    else:
        children = row.children
        urgency = row.urgency
        summary = row.summary
    # A purged referral keeps only age bands: statistics, not children.
    made_children = []
    for child in children:
        if "age" in child:
            made_child = _new(ReferralChild)
            made_child.__dict__ = {
                "age": child["age"],
                "gender": _GENDERS[child["gender"]],
                "needs": child.get("needs"),
            }
            made_children.append(made_child)
    category = _CATEGORIES.get(row.category)
    made: Referral = _new(Referral)
    fields = made.__dict__ = {
        "id": encode_id("Referral", row.id),
        "key": row.id,
        "local_authority_key": row.local_authority_id,
        "reference": row.reference,
        "category": _category(row.category) if category is None else category,
        "status": _STATUSES[row.status],
        "created_at": row.created_at,
        "sent_at": row.sent_at,
        "version": version or row.version,
        "urgency": _URGENCIES[urgency],
        "children": made_children,
        "summary": summary,
        "respond_by": row.respond_by,
        "my_delivery": None if delivery is None else ReferralDelivery.of(delivery),
        "without_case_details": False,
        "purged": row.purged_at is not None,
    }
    if snapshot:
        fields["postcode"] = snapshot.get("postcode")
        # required_from, details, version_document_keys: _FromSnapshot, when read
        fields["_snapshot"] = snapshot
    else:
        fields["postcode"] = row.postcode
        fields["required_from"] = row.required_from
        # Live: copied now, as the row may change after (a mutation's answer).
        fields["details"] = as_json(row.details or {})
        fields["version_document_keys"] = None
    return made


def _redacted(
    row: ReferralRow, children: list[dict[str, Any]] | None = None, urgency: str | None = None
) -> Referral:
    """:meth:`Referral.redacted` without noting the read."""
    referral = _referral(
        row,
        {
            # A purged referral's children are age bands only: none is shown, as in of().
            "children": children
            or [{"age": c["age"], "gender": c["gender"]} for c in row.children if "age" in c],
            "summary": "",
            "urgency": urgency or row.urgency,
            "postcode": None,
            "requiredFrom": None,
            "details": {},
        },
        row.version,
        None,
    )
    referral.without_case_details = True
    return referral


def referral_for_viewer(row: queries.ReferralRow, viewer: Viewer | None) -> Referral:
    """What ``viewer`` sees of a referral, decided here for every path that reaches one (its
    list, ``node``, an offer's, a message's, an IPA's): live for its LA's staff, the delivered
    snapshot for a provider's staff, and for anyone else who reaches it (a signatory-only user,
    through an IPA or its offer) only what an IPA says of it, with no case details."""
    if not sees_case_details(viewer):
        return Referral.redacted(row.referral)
    if row.delivery is None:
        return Referral.of(row.referral)
    return Referral.of(row.referral, row.snapshot, row.delivery.version, row.delivery)


def referral_edges(rows: list[queries.ReferralRow], viewer: Viewer | None) -> list[ReferralEdge]:
    """A page of referrals as :func:`referral_for_viewer` shows each, in edges: the viewer's
    rule decided once for the page, the page's reads noted at once (in its order, as
    :meth:`Referral.of` notes one)."""
    nodes: list[Referral]
    if not sees_case_details(viewer):
        nodes = [_redacted(row.referral) for row in rows]
    else:
        nodes = [
            _referral(row.referral, None, None, None)
            if row.delivery is None
            else _referral(row.referral, row.snapshot, row.delivery.version, row.delivery)
            for row in rows
        ]
    note_reads(Subject.REFERRAL, [(node.key, node.key, node.version) for node in nodes])
    edges = []
    for node in nodes:
        edge = _new(ReferralEdge)
        edge.__dict__ = {"node": node}
        edges.append(edge)
    return edges


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
