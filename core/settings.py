"""Settings from the ``PORTAL_*`` environment variables (contract section 2).

Validated once at start-up: a bad value stops the process with a one-line message that
names the variable, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_SECRET_KEY = "development-only-secret-key-change-me"

_DATABASE_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")


class SettingsError(Exception):
    """A configuration value that cannot be used; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PORTAL_", frozen=True, extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./portal.db"
    redis_url: str | None = None
    smtp_url: str | None = None
    storage_dir: Path = Path("./storage")
    secret_key: str = DEVELOPMENT_SECRET_KEY
    base_url: str = "http://127.0.0.1:8000"
    env: Literal["development", "production", "test"] = "development"
    #: Largest request body accepted (bytes); larger ones get 413 before being read whole.
    max_upload_bytes: int = 20 * 1024 * 1024
    #: Sign-in attempts (login, code, sign-up) allowed per client address (``limits`` syntax).
    login_rate_limit: str = "30/minute"
    #: How long a worker holds the outbox emails it claimed; after that (a killed worker)
    #: another worker takes them over. Longer than a batch of SMTP sends can take.
    outbox_lease_seconds: int = 300
    #: How often ``portal scheduler`` sweeps the outbox for emails whose send was lost (a
    #: killed worker's, once their lease ends; one enqueued while Redis was away).
    outbox_sweep_seconds: int = 30
    #: The issuer an authenticator app shows beside the account (so that staging and
    #: production accounts can be told apart).
    totp_issuer: str = "Placement portal"
    #: GraphiQL at ``GET /graphql`` and introspection. In production both are for signed-in
    #: people and API tokens only (never anonymous callers); false turns both off everywhere.
    explorer: bool = True
    #: Complete plain fields with the portal's own fast path (schema/execution.py); off runs
    #: graphql-core's executor alone (e.g. to rule the fast path out, or for an extension that
    #: wraps every resolver, which the fast path refuses).
    fast_execution: bool = True
    #: Email addresses of shared mailboxes that may not hold an account (local parts).
    role_address_local_parts: tuple[str, ...] = (
        "info",
        "admin",
        "office",
        "enquiries",
        "enquiry",
        "referrals",
        "contact",
        "hello",
        "mail",
        "team",
        "support",
        "reception",
        "placements",
        "noreply",
        "no-reply",
    )

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in _DATABASE_SCHEMES:
            expected = " or ".join(s + "://" for s in _DATABASE_SCHEMES)
            raise ValueError(f"expected a SQLAlchemy URL starting with {expected}")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if urlsplit(value).scheme not in ("redis", "rediss"):
            raise ValueError("expected a URL like redis://127.0.0.1:6379/0")
        return value

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("expected a URL like smtp://127.0.0.1:1025")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("expected an absolute http(s) URL like https://portal.example.org")
        return value.rstrip("/")

    @field_validator("login_rate_limit")
    @classmethod
    def _login_rate_limit(cls, value: str) -> str:
        from limits import parse

        try:
            parse(value)
        except ValueError:
            raise ValueError('expected a rate like "30/minute"') from None
        return value

    @field_validator("totp_issuer")
    @classmethod
    def _totp_issuer(cls, value: str) -> str:
        value = value.strip()
        if not value or ":" in value or len(value) > 60:
            raise ValueError("expected a short name without ':' (at most 60 characters)")
        return value

    @field_validator("max_upload_bytes")
    @classmethod
    def _max_upload(cls, value: int) -> int:
        if value < 1024:
            raise ValueError("expected at least 1024 bytes")
        return value

    @model_validator(mode="after")
    def _production_is_strict(self) -> Settings:
        if self.env == "production":
            if self.secret_key == DEVELOPMENT_SECRET_KEY or len(self.secret_key) < 32:
                raise ValueError(
                    "PORTAL_SECRET_KEY: set a random secret of at least 32 characters "
                    "when PORTAL_ENV=production"
                )
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def origin(self) -> str:
        """The scheme://host[:port] of PORTAL_BASE_URL, compared with a request's Origin."""
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def mail_domain(self) -> str:
        """The domain of Message-IDs and of the sender address."""
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings; raise SettingsError with a one-line message."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic validates the values
    except ValidationError as error:
        first = error.errors()[0]
        location = first.get("loc") or ()
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        if location:
            variable = "PORTAL_" + str(location[0]).upper()
            raise SettingsError(f"{variable}: {message}") from None
        raise SettingsError(message) from None
