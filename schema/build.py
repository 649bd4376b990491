"""Builds the served schema from the domain modules and the installed category plugins."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.execution.middleware import MiddlewareManager
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.extensions.runner import SchemaExtensionsRunner
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, ExecutionResult
from strawberry.types.graphql import OperationType

from core.plugins.registry import CategoryRegistry
from schema.categories.mutations import CategoryMutations
from schema.categories.queries import CategoryQueries
from schema.children.mutations import ChildrenDataMutations
from schema.children.queries import ChildrenDataQueries
from schema.children.types import AccessLogEntry, DataExport
from schema.documents.mutations import DocumentMutations
from schema.documents.types import Document
from schema.enums import bind_care_categories, check_core_enums_named
from schema.execution import execution_context_class
from schema.extensions import (
    IntrospectionPolicy,
    MaskUnexpectedErrors,
    NoNulCharacters,
    NoSuggestions,
    ObserveOperation,
    OperationNameRequired,
    RecordReads,
    log_errors,
    truncate_client_error,
)
from schema.identity.mutations import IdentityMutations
from schema.identity.queries import IdentityQueries
from schema.identity.types import AccountRequest, ApiToken, Organisation, User
from schema.ipas.mutations import IpaMutations
from schema.ipas.queries import IpaQueries
from schema.ipas.types import IndividualPlacementAgreement
from schema.messages.mutations import MessageMutations
from schema.messages.types import Message, MessageThread
from schema.node import node_resolvers
from schema.notifications.mutations import NotificationMutations
from schema.notifications.queries import NotificationQueries
from schema.notifications.subscriptions import NotificationSubscriptions
from schema.notifications.types import Notification
from schema.offers.mutations import OfferMutations
from schema.offers.queries import OfferQueries
from schema.offers.types import FosteringFamily, Offer
from schema.plans import OperationPlans, planned_executor
from schema.queries import NodeQueries
from schema.referrals.mutations import ReferralMutations
from schema.referrals.queries import ReferralQueries
from schema.referrals.types import Referral, ReferralDelivery
from schema.registration.mutations import RegistrationMutations
from schema.registration.queries import RegistrationQueries
from schema.registration.types import Home, ProviderRegistration
from schema.sufficiency.mutations import SufficiencyMutations
from schema.sufficiency.queries import SufficiencyQueries
from schema.webhooks.mutations import WebhookMutations
from schema.webhooks.queries import WebhookQueries
from schema.webhooks.types import WebhookDelivery, WebhookEndpoint

MAX_DEPTH = 12
MAX_ALIASES = 15
MAX_TOKENS = 2_000

QUERY_PARTS: tuple[type, ...] = (
    NodeQueries,
    IdentityQueries,
    CategoryQueries,
    RegistrationQueries,
    ReferralQueries,
    OfferQueries,
    NotificationQueries,
    IpaQueries,
    SufficiencyQueries,
    WebhookQueries,
    ChildrenDataQueries,
)
MUTATION_PARTS: tuple[type, ...] = (
    IdentityMutations,
    CategoryMutations,
    DocumentMutations,
    RegistrationMutations,
    ReferralMutations,
    MessageMutations,
    OfferMutations,
    NotificationMutations,
    IpaMutations,
    SufficiencyMutations,
    WebhookMutations,
    ChildrenDataMutations,
)
SUBSCRIPTION_PARTS: tuple[type, ...] = (NotificationSubscriptions,)
#: The depth and alias limits as validation rules made once: the validation cache is keyed by
#: the rules, so a rule class made per request (as the limiter extensions do) never hits it.
LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
    NoNulCharacters,
]

#: Types reachable only through the Node interface must be named to be in the schema.
NODE_TYPES: tuple[type, ...] = (
    Organisation,
    User,
    ApiToken,
    AccountRequest,
    Document,
    ProviderRegistration,
    Home,
    Referral,
    ReferralDelivery,
    Offer,
    FosteringFamily,
    Notification,
    MessageThread,
    Message,
    IndividualPlacementAgreement,
    WebhookEndpoint,
    WebhookDelivery,
    AccessLogEntry,
    DataExport,
)


class PortalSchema(strawberry.Schema):
    #: The accepted operations' plans (schema/plans.py); None: every request takes strawberry's
    #: path (a schema with extensions or directives the plans do not know).
    plans: OperationPlans | None = None

    async def execute(  # strawberry's signature
        self,
        query: str | None,
        variable_values: dict[str, Any] | None = None,
        context_value: Any | None = None,
        root_value: Any | None = None,
        operation_name: str | None = None,
        allowed_operation_types: Iterable[OperationType] | None = None,
        operation_extensions: dict[str, Any] | None = None,
    ) -> ExecutionResult:
        """An operation strawberry accepted before runs its plan; any other, strawberry's way."""
        plans = self.plans
        plan = plans and plans.find(query, operation_name, context_value, allowed_operation_types)
        if plan:
            assert plans is not None and query is not None
            return await plans.execute(
                self,
                plan,
                query=query,
                variable_values=variable_values,
                context_value=context_value,
                root_value=root_value,
                operation_name=operation_name,
                allowed_operation_types=allowed_operation_types,
                operation_extensions=operation_extensions,
            )
        return await super().execute(
            query,
            variable_values,
            context_value,
            root_value,
            operation_name,
            allowed_operation_types,
            operation_extensions,
        )

    async def _execute_operation(
        self,
        execution_context: ExecutionContext,
        extensions_runner: SchemaExtensionsRunner,
        middleware_manager: MiddlewareManager,
        execute_function: Callable[..., Any],
        custom_context_kwargs: dict[str, Any],
    ) -> Any:
        """strawberry's, noting the plan of the operation it accepted (parsed, validated)."""
        if self.plans is not None and execution_context.result is None:
            self.plans.record(execution_context)
        return await super()._execute_operation(
            execution_context,
            extensions_runner,
            middleware_manager,
            execute_function,
            custom_context_kwargs,
        )

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Each error bounded (:func:`truncate_client_error`: a client's values are cut before
        they are answered or logged), then logged once, client errors never at ERROR
        (:func:`log_errors`)."""
        for error in errors:
            truncate_client_error(error)
        operation_type = None
        if execution_context is not None:
            try:
                operation_type = execution_context.operation_type
            except RuntimeError:  # a document that does not parse has no operation
                operation_type = None
        log_errors(errors, operation_type)


class FastPathRefused(Exception):
    """An extension wraps resolvers, which the fast path would skip on plain fields."""


def wraps_resolvers(extension: SchemaExtension) -> bool:
    """Whether strawberry would run ``extension`` as middleware around every resolver."""
    return type(extension).resolve is not SchemaExtension.resolve


def check_extensions(extensions: list, *, fast_execution: bool) -> None:
    """Refuse, at start, an extension that wraps resolvers while the fast path is on: the fast
    path completes plain fields without calling a resolver, so the extension would silently
    miss them (and turning the fast path off per request would silently lose its speed)."""
    if not fast_execution:
        return
    for factory in extensions:
        extension = factory()
        if wraps_resolvers(extension):
            raise FastPathRefused(
                f"the schema extension {type(extension).__name__} wraps resolvers, which the "
                "portal's fast execution path skips for plain fields: set "
                "PORTAL_FAST_EXECUTION=false to run it on every field"
            )


def build_schema(
    registry: CategoryRegistry,
    *,
    production: bool = False,
    fast_execution: bool = True,
    extra_extensions: tuple = (),
    observe: bool = True,
) -> strawberry.Schema:
    """The GraphQL schema for the installed categories.

    Extensions are passed as classes or factories, never shared instances (strawberry
    0.316.0: shared instances leaked state between concurrent requests). ``fast_execution``
    chooses the portal's execution context (schema/execution.py) or graphql-core's alone.
    """
    # The registries this schema reads are filled by the wiring (schema/wiring.py), not by
    # imports: building before it fails here rather than serving enums without names or a
    # node(id) that finds nothing.
    check_core_enums_named()
    node_resolvers()
    bind_care_categories(registry)
    extensions: list = [
        lambda: AddValidationRules(LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
        MaskUnexpectedErrors,
        IntrospectionPolicy,
        OperationNameRequired,
        RecordReads,
    ]
    if observe:
        extensions.append(ObserveOperation)
    if production:
        extensions.append(NoSuggestions)
    extensions.extend(extra_extensions)
    check_extensions(extensions, fast_execution=fast_execution)
    query = merge_types("Query", QUERY_PARTS)
    mutation = merge_types("Mutation", MUTATION_PARTS) if MUTATION_PARTS else None
    subscription = merge_types("Subscription", SUBSCRIPTION_PARTS) if SUBSCRIPTION_PARTS else None
    config = StrawberryConfig(disable_field_suggestions=production)
    # PortalExecutionContext reads plain fields as attributes: the default resolver's way.
    assert config.default_resolver is getattr
    schema = PortalSchema(
        query=query,
        mutation=mutation,
        subscription=subscription,
        types=NODE_TYPES,
        extensions=extensions,
        config=config,
        execution_context_class=execution_context_class(fast_execution),
    )
    # Plans replay build_schema's own extensions only (schema/plans.py).
    if not extra_extensions and not schema.directives:
        schema.plans = OperationPlans(
            observe=observe,
            no_suggestions=production,
            executor=planned_executor(schema.execution_context_class),
        )
    return schema
