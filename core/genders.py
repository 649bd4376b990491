"""Genders of children and the genders a home accepts (the contract's ``Gender``)."""

from enum import StrEnum


class Gender(StrEnum):
    FEMALE = "FEMALE"
    MALE = "MALE"
    OTHER = "OTHER"
