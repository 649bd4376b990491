"""Builds the served schema from the domain modules and the installed category plugins."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from core.plugins.registry import CategoryRegistry
from schema.categories.queries import CategoryQueries
from schema.enums import bind_care_categories
from schema.extensions import MaskUnexpectedErrors
from schema.identity.mutations import IdentityMutations
from schema.identity.queries import IdentityQueries
from schema.identity.types import AccountRequest, ApiToken, Organisation, User
from schema.notifications.mutations import NotificationMutations
from schema.notifications.queries import NotificationQueries
from schema.notifications.subscriptions import NotificationSubscriptions
from schema.notifications.types import Notification
from schema.queries import NodeQueries

MAX_DEPTH = 12
MAX_ALIASES = 15
MAX_TOKENS = 2_000

QUERY_PARTS: tuple[type, ...] = (NodeQueries, IdentityQueries, CategoryQueries, NotificationQueries)
MUTATION_PARTS: tuple[type, ...] = (IdentityMutations, NotificationMutations)
SUBSCRIPTION_PARTS: tuple[type, ...] = (NotificationSubscriptions,)
#: Types reachable only through the Node interface must be named to be in the schema.
NODE_TYPES: tuple[type, ...] = (Organisation, User, ApiToken, AccountRequest, Notification)


def build_schema(registry: CategoryRegistry, *, production: bool = False) -> strawberry.Schema:
    """The GraphQL schema for the installed categories.

    Extensions are passed as classes or factories, never shared instances (strawberry
    0.316.0: shared instances leaked state between concurrent requests).
    """
    bind_care_categories(registry)
    extensions: list = [
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        MaskUnexpectedErrors,
    ]
    if production:
        extensions.append(DisableIntrospection)
    query = merge_types("Query", QUERY_PARTS)
    mutation = merge_types("Mutation", MUTATION_PARTS) if MUTATION_PARTS else None
    subscription = merge_types("Subscription", SUBSCRIPTION_PARTS) if SUBSCRIPTION_PARTS else None
    return strawberry.Schema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=NODE_TYPES,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=production),
    )
