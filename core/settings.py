"""Settings from the ``PORTAL_*`` environment variables (contract section 2).

Validated once at start-up: a bad value stops the process with a one-line message that
names the variable, never a traceback.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationError, field_validator, model_validator
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
    #: Storage quota of an organisation's documents (bytes), and the smaller one of a provider
    #: whose registration is not approved yet (anyone may sign up and upload).
    storage_quota_bytes: int = 2 * 1024 * 1024 * 1024
    unapproved_storage_quota_bytes: int = 50 * 1024 * 1024
    #: Registration spreadsheets are read in a child process with these limits (address space,
    #: CPU seconds, wall-clock seconds), at most ``spreadsheet_parsers`` at once per process.
    spreadsheet_parse_memory_bytes: int = 512 * 1024 * 1024
    spreadsheet_parse_cpu_seconds: int = 10
    spreadsheet_parse_timeout_seconds: float = 20.0
    spreadsheet_parsers: int = 2
    #: A session unused for this many minutes has ended (its absolute limit is 14 days).
    session_idle_minutes: int = 120
    #: API tokens expire after ``expiresInDays``, at most (and by default) this many days.
    api_token_max_days: int = 365
    #: Reverse proxies whose X-Forwarded-For is believed (comma-separated addresses or
    #: networks, e.g. "10.0.0.5,10.1.0.0/16"); empty: none, the peer's address is the client's.
    trusted_proxies: str = ""
    #: Production refuses to start with an http:// PORTAL_BASE_URL unless this is true.
    allow_plain_http: bool = False
    #: Sign-in attempts (login, code, sign-up) allowed per client address (``limits`` syntax).
    login_rate_limit: str = "30/minute"
    #: Failed sign-ins for one email address (whether or not an account has it) before the
    #: next attempt waits; each further failure doubles the wait, from one second ...
    sign_in_free_failures: int = Field(default=5, ge=1, le=100)
    #: ... up to this many seconds: a stranger can slow an account down, never lock it.
    sign_in_max_wait_seconds: int = Field(default=60, ge=1, le=3600)
    #: How long a worker holds the outbox emails it claimed; after that (a killed worker)
    #: another worker takes them over. Longer than a batch of SMTP sends can take.
    outbox_lease_seconds: int = 300
    #: Days a home's vacancy declaration counts; older, it is unknown and its provider is
    #: asked to confirm it.
    vacancy_confirm_days: int = 14
    #: Providers that have not responded are reminded once the deadline is this close (and
    #: half their time to respond has passed).
    response_reminder_hours: int = 24
    #: How often ``portal scheduler`` sweeps the outbox for emails whose send was lost (a
    #: killed worker's, once their lease ends; one enqueued while Redis was away).
    outbox_sweep_seconds: int = 30
    #: The issuer an authenticator app shows beside the account (so that staging and
    #: production accounts can be told apart).
    totp_issuer: str = "Placement portal"
    #: GraphiQL at ``GET /graphql`` and introspection. In production both are for signed-in
    #: people and API tokens only (never anonymous callers); false turns both off everywhere.
    explorer: bool = True
    #: ``GET /metrics`` answers only with ``Authorization: Bearer <this>``; unset: 404.
    metrics_token: str | None = None
    #: ``json``: one JSON object per log line (production); ``console``: readable lines.
    log_format: Literal["json", "console"] = "console"
    #: Webhook URLs may resolve to private, loopback or link-local addresses (tests, labs).
    webhook_allow_private: bool = False
    #: How long a worker holds the webhook deliveries it claimed; after that (a killed worker)
    #: another takes them over. Longer than a batch can take (5 rounds of 10 s timeouts).
    webhook_lease_seconds: int = 180
    #: Record every read of a child's information (contract section 12). Off only for the
    #: benchmark's comparison; refused when PORTAL_ENV=production.
    access_log: bool = True
    #: How often the access log's buffer is written: a crash loses at most this much.
    access_log_flush_seconds: float = 1.0
    #: Documents at rest: a 32-byte AES-256-GCM key, base64 (required in production; without
    #: it, development and tests use a key derived from PORTAL_SECRET_KEY).
    storage_key: str | None = None
    #: Keys still read while ``portal rotate-storage-key`` re-encrypts (comma-separated).
    storage_old_keys: str = ""
    #: Retention of a closed referral's personal data: the default an LA starts with, and the
    #: platform's bounds on what an LA may set.
    retention_days_default: int = 365
    retention_days_min: int = 30
    retention_days_max: int = 3650
    #: IPAs are kept this long after they end (contracts: 7 years by default).
    ipa_retention_days_default: int = 7 * 365
    ipa_retention_days_min: int = 365
    ipa_retention_days_max: int = 25 * 365
    #: A sent referral with no live offer this many days after its last send counts as closed.
    referral_closed_after_days: int = 90
    #: Referrals purged per transaction.
    purge_batch_size: int = 100
    #: A READY export can be downloaded this many days; the purge deletes it after.
    export_keep_days: int = 7
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

    @field_validator("metrics_token")
    @classmethod
    def _metrics_token(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if len(value) < 16:
            raise ValueError("expected a random token of at least 16 characters")
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

    @field_validator("storage_key")
    @classmethod
    def _storage_key(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        _decode_storage_key(value)
        return value

    @field_validator("storage_old_keys")
    @classmethod
    def _storage_old_keys(cls, value: str) -> str:
        for key in value.split(","):
            if key.strip():
                _decode_storage_key(key.strip())
        return value

    @field_validator("access_log_flush_seconds")
    @classmethod
    def _flush_seconds(cls, value: float) -> float:
        if not 0 < value <= 1:
            raise ValueError(
                "expected more than 0 and at most 1 second (a crash loses at most 1 s)"
            )
        return value

    @model_validator(mode="after")
    def _production_is_strict(self) -> Settings:
        if self.env == "production":
            if self.secret_key == DEVELOPMENT_SECRET_KEY or len(self.secret_key) < 32:
                raise ValueError(
                    "PORTAL_SECRET_KEY: set a random secret of at least 32 characters "
                    "when PORTAL_ENV=production"
                )
            if not self.storage_key:
                raise ValueError(
                    "PORTAL_STORAGE_KEY: set a 32-byte key, base64-encoded (e.g. "
                    "python -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())'"
                    ") when PORTAL_ENV=production"
                )
            if not self.access_log:
                raise ValueError(
                    "PORTAL_ACCESS_LOG: the access log cannot be turned off in production"
                )
        if (
            self.env == "production"
            and not self.base_url.startswith("https://")
            and not self.allow_plain_http
        ):
            raise ValueError(
                "PORTAL_BASE_URL: production is served over https (session cookies are sent "
                "without Secure over plain http); set an https:// address, or "
                "PORTAL_ALLOW_PLAIN_HTTP=true to accept the risk"
            )
        if not self.retention_days_min <= self.retention_days_default <= self.retention_days_max:
            raise ValueError(
                "PORTAL_RETENTION_DAYS_DEFAULT: expected between the minimum and maximum"
            )
        return self

    def storage_keys(self) -> list[bytes]:
        """The current storage key first, then the old ones still read."""
        import hashlib

        current = (
            _decode_storage_key(self.storage_key)
            if self.storage_key
            else hashlib.sha256(b"portal-storage-key:" + self.secret_key.encode()).digest()
        )
        old = [
            _decode_storage_key(k.strip()) for k in self.storage_old_keys.split(",") if k.strip()
        ]
        return [current, *[k for k in old if k != current]]

    @property
    def session_idle(self) -> timedelta:
        return timedelta(minutes=self.session_idle_minutes)

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


def _decode_storage_key(value: str) -> bytes:
    import base64
    import binascii

    try:
        key = base64.b64decode(value.strip() + "=" * (-len(value.strip()) % 4), altchars=b"-_")
    except (binascii.Error, ValueError):
        raise ValueError("expected a 32-byte key, base64-encoded") from None
    if len(key) != 32:
        raise ValueError(f"expected a 32-byte key, base64-encoded (this one is {len(key)} bytes)")
    return key
