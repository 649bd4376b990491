"""The hooks a category plugin implements. Each is called with keyword arguments.

Hooks are synchronous and do no I/O: they declare data or apply rules to data they are given.
The core calls them only through :class:`core.plugins.registry.CategoryRegistry`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pluggy

from core.plugins import PROJECT_NAME
from core.plugins.declarations import (
    CandidateHome,
    CategoryDeclaration,
    DetailsProblem,
    HomeFacts,
    MatchRequest,
)

hookspec = pluggy.HookspecMarker(PROJECT_NAME)


@hookspec
def portal_category() -> CategoryDeclaration:
    """Declare the care category this plugin provides.

    Required of every category plugin, called once at start-up. Return one
    :class:`CategoryDeclaration`; two plugins declaring the same ``value`` or ``label`` stop
    the start with a clear message.
    """


@hookspec
def portal_refine_matches(
    request: MatchRequest,
    candidates: Sequence[CandidateHome],
    settings: Mapping[str, Any],
) -> Sequence[CandidateHome]:
    """Apply the category's own matching rules to homes that passed the core criteria.

    Called only on the plugin that declared ``request.category``, every time a referral of
    that category is sent, with the category lead's current ``settings`` (defaults merged).
    Return the candidates that still match (a subset of ``candidates``, in any order). A plugin
    that does not implement it keeps every candidate.
    """


@hookspec
def portal_check_home(home: HomeFacts, settings: Mapping[str, Any]) -> Sequence[str]:
    """Check one home of a registration spreadsheet against the category's own rules.

    Called only on the plugin that declared ``home.category``. Return a message for each
    problem (each names the column, the value found and what is expected); empty when fine.
    """


@hookspec
def portal_check_offer_details(
    details: Mapping[str, Any], provider_documents: Mapping[str, str]
) -> Sequence[DetailsProblem]:
    """Check an offer's ``details`` against the category's own rules that need the core's data.

    Called only on the plugin that declared the offer's category, after ``details`` passed the
    category's offer JSON Schema, each time an offer is submitted, updated or revised.
    ``provider_documents`` maps the id of each of the offering provider's documents, written
    as a client writes it (the GraphQL global id), to its ``DocumentKind``; use it to check
    that a document the details refer to is the provider's own and of the right kind. Return a
    :class:`DetailsProblem` for each problem, with its path inside ``details``; empty when fine.
    """
