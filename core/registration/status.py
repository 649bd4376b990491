"""The states of a provider's registration (the contract's ``RegistrationStatus``)."""

from __future__ import annotations

from enum import StrEnum


class RegistrationStatus(StrEnum):
    NOT_SUBMITTED = "NOT_SUBMITTED"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    OPEN_FOR_EDITING = "OPEN_FOR_EDITING"


class Decision(StrEnum):
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    OPEN_FOR_EDITING = "OPEN_FOR_EDITING"


#: The provider may upload a spreadsheet only in these states.
UPLOADABLE = frozenset({RegistrationStatus.NOT_SUBMITTED, RegistrationStatus.OPEN_FOR_EDITING})

#: decision -> (the states it may be taken from, the state it leads to)
TRANSITIONS: dict[Decision, tuple[frozenset[RegistrationStatus], RegistrationStatus]] = {
    Decision.APPROVE: (
        frozenset({RegistrationStatus.PENDING_APPROVAL}),
        RegistrationStatus.APPROVED,
    ),
    Decision.REJECT: (
        frozenset({RegistrationStatus.PENDING_APPROVAL}),
        RegistrationStatus.REJECTED,
    ),
    Decision.OPEN_FOR_EDITING: (
        frozenset(
            {
                RegistrationStatus.PENDING_APPROVAL,
                RegistrationStatus.APPROVED,
                RegistrationStatus.REJECTED,
            }
        ),
        RegistrationStatus.OPEN_FOR_EDITING,
    ),
}
