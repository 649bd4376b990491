"""The person's home (``/``) is made of sections, one per kind of work: a page module adds
its own with :func:`home_section` (the provider's are in ``web/pages/home.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from web.page import Header, Page

#: A section: (page, header) -> the template to include and its values, or None to skip.
SectionMaker = Callable[[Page, Header], Awaitable[tuple[str, dict[str, Any]] | None]]


@dataclass(frozen=True)
class HomeSection:
    order: int
    make: SectionMaker


SECTIONS: list[HomeSection] = []


def home_section(order: int = 100) -> Callable[[SectionMaker], SectionMaker]:
    """Register a section of the home page; lower ``order`` comes first. The maker decides
    from the header (roles, organisation kind) whether it applies to the signed-in person."""

    def register(make: SectionMaker) -> SectionMaker:
        SECTIONS.append(HomeSection(order, make))
        SECTIONS.sort(key=lambda s: s.order)
        return make

    return register
