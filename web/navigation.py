"""The header's navigation: which sections each kind of organisation and role sees."""

from __future__ import annotations

from dataclasses import dataclass

from web.page import Header


@dataclass(frozen=True)
class Section:
    path: str
    text: str
    #: Organisation kinds that see it (empty: all); roles that see it (empty: all).
    kinds: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()


STAFF_LA = frozenset({"LA_ADMIN", "LA_CASEWORKER"})
STAFF_PROVIDER = frozenset({"PROVIDER_ADMIN", "PROVIDER_USER"})

SECTIONS: tuple[Section, ...] = (
    Section("/", "Home"),
    Section("/referrals", "Referrals", roles=STAFF_LA | STAFF_PROVIDER),
    Section(
        "/agreements",
        "Agreements",
        roles=STAFF_LA | STAFF_PROVIDER | {"LA_SIGNATORY", "PROVIDER_SIGNATORY"},
    ),
    Section("/registrations", "Registrations", roles=frozenset({"LA_ADMIN", "PLATFORM_ADMIN"})),
    Section("/admin/local-authorities", "Local authorities", roles=frozenset({"PLATFORM_ADMIN"})),
    Section("/organisation", "Organisation", kinds=frozenset({"PROVIDER", "LOCAL_AUTHORITY"})),
)


def sections(header: Header, current_path: str) -> list[dict[str, object]]:
    """``govukServiceNavigation`` items for the signed-in person."""
    items: list[dict[str, object]] = []
    for section in SECTIONS:
        if section.kinds and header.organisation_kind not in section.kinds:
            continue
        if section.roles and not (header.roles & section.roles):
            continue
        current = (
            current_path == "/"
            if section.path == "/"
            else current_path == section.path or current_path.startswith(section.path + "/")
        )
        items.append({"href": section.path, "text": section.text, "active": current})
    return items
