"""The schema layer's registries, filled by one explicit call from the composition root.

Nothing in ``schema/`` registers itself as a side effect of being imported: the app's factory
(:func:`schema.app.create_app`), the command line and the tests' conftest call
:func:`wire_schema` once at start-up (beside :func:`core.wiring.wire_core` for the core's), and
a registry read before that raises rather than answering as if empty.

What is wired here:
- the GraphQL names of the core's enums (:data:`schema.enums.CORE_ENUMS`);
- how ``node(id)`` fetches each Node type (:data:`NODE_RESOLVERS`).
"""

from __future__ import annotations

from core.wiring import wire_core
from schema.children.types import entry_node, export_node
from schema.documents.types import document_node
from schema.enums import name_core_enums
from schema.identity.types import organisation_node, user_node
from schema.ipas.types import ipa_node
from schema.messages.types import message_node, thread_node
from schema.node import NodeResolver, set_node_resolvers
from schema.notifications.types import notification_node
from schema.offers.types import family_node, offer_node
from schema.referrals.types import referral_node
from schema.registration.types import home_node, registration_node
from schema.webhooks.types import delivery_node, endpoint_node

#: Each Node type's resolver, fetching it *as the viewer may see it* (else None).
NODE_RESOLVERS: dict[str, NodeResolver] = {
    "AccessLogEntry": entry_node,
    "DataExport": export_node,
    "Document": document_node,
    "FosteringFamily": family_node,
    "Home": home_node,
    "IndividualPlacementAgreement": ipa_node,
    "Message": message_node,
    "MessageThread": thread_node,
    "Notification": notification_node,
    "Offer": offer_node,
    "Organisation": organisation_node,
    "ProviderRegistration": registration_node,
    "Referral": referral_node,
    "User": user_node,
    "WebhookDelivery": delivery_node,
    "WebhookEndpoint": endpoint_node,
}


def wire_schema() -> None:
    """Fill the schema layer's registries; calling it again changes nothing."""
    name_core_enums()
    set_node_resolvers(NODE_RESOLVERS)


def wire() -> None:
    """Every registry of the app, the core's then the schema's: the composition root's one call
    (create_app, ``portal export-schema``, the tests' conftest); calling it again changes
    nothing."""
    wire_core()
    wire_schema()
