"""The category plugin system.

A care category is a pluggy plugin registered under the entry-point group
``portal.categories``. A plugin imports what it needs from here::

    from core.plugins import hookimpl, CategoryDeclaration, MatchRequest, CandidateHome

and implements the hooks in :mod:`core.plugins.hookspecs`.
"""

import pluggy

from core.plugins.declarations import (
    CandidateHome,
    CategoryDeclaration,
    DetailsProblem,
    HomeFacts,
    MatchRequest,
    ReferralChildFacts,
)

PROJECT_NAME = "portal"
ENTRY_POINT_GROUP = "portal.categories"

hookimpl = pluggy.HookimplMarker(PROJECT_NAME)

__all__ = [
    "ENTRY_POINT_GROUP",
    "PROJECT_NAME",
    "CandidateHome",
    "CategoryDeclaration",
    "DetailsProblem",
    "HomeFacts",
    "MatchRequest",
    "ReferralChildFacts",
    "hookimpl",
]
