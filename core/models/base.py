"""The declarative base, column types shared by every model, and key conventions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, DateTime, MetaData, Table, TypeDecorator, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every database (SQLite stores no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Any:
        """On SQLite, parse the stored text with the C ``fromisoformat`` (SQLAlchemy's own
        parser is a regular expression: most of the cost of reading a page of rows)."""
        if (
            dialect.driver == "asyncpg"
            and self.impl_instance.result_processor(dialect, coltype) is None
        ):
            # asyncpg decodes every timestamptz (the only type these columns have, see the
            # migrations) as a datetime in datetime.UTC, which process_result_value keeps as
            # it is: no call per value (a page of 50 referrals reads some 350). Its one
            # exception, 'infinity' (a naive datetime.max), is never stored: the columns are
            # written with aware datetimes or now().
            return None
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        generic = super().result_processor(dialect, coltype)

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            try:
                # Stored as UTC without an offset: parsing it with one is about six times
                # cheaper than parsing, then replacing the zone.
                return datetime.fromisoformat(value + "+00:00")
            except (TypeError, ValueError):
                pass
            try:
                parsed = datetime.fromisoformat(value)
            except (TypeError, ValueError):
                return generic(value) if generic else value
            return self.process_result_value(parsed, dialect)

        return process

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None or value.tzinfo is UTC:  # asyncpg gives UTC already: keep it as is
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


class Base(DeclarativeBase):
    #: Every model maps one Table (for Core inserts and updates of whole batches).
    __table__: ClassVar[Table]

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONType,
        list[dict[str, Any]]: JSONType,
        uuid.UUID: Uuid(),
    }


class HasId:
    """A random UUID primary key: ids are opaque and not guessable in sequence."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
