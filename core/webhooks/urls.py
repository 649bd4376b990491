"""Which webhook URLs the portal will POST to.

Refused: anything but http(s) (https only in production), credentials in the URL, and, unless
``PORTAL_WEBHOOK_ALLOW_PRIVATE`` is set, a host that resolves to an address that is not
globally routable (private, loopback, link-local such as cloud metadata at 169.254.169.254,
carrier-grade NAT, multicast, reserved). Checked when an endpoint is saved and again before
every POST, since a name can be pointed elsewhere later.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from core.errors import InvalidInput
from core.settings import Settings

URL_FIELD = ("input", "url")
MAX_URL_LENGTH = 2000
RESOLVE_TIMEOUT = 5.0


class RefusedAddress(Exception):
    """The URL's host resolves to an address webhooks may not reach."""


def _not_global(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not ip.is_global or ip.is_multicast


async def check_reachable(url: str) -> None:
    """Raise RefusedAddress when the URL's host resolves to a non-global address (or to
    nothing)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        ipaddress.ip_address(host)
        addresses = [host]
    except ValueError:
        loop = asyncio.get_running_loop()
        try:
            infos = await asyncio.wait_for(
                loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT
            )
        except (OSError, TimeoutError) as error:
            raise RefusedAddress(f"{host} does not resolve") from error
        addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise RefusedAddress(f"{host} does not resolve")
    refused = sorted({a for a in addresses if _not_global(a)})
    if refused:
        raise RefusedAddress(
            f"{host} resolves to a private, loopback or link-local address ({refused[0]})"
        )


async def checked_url(url: str, settings: Settings) -> str:
    """The URL, trimmed, if webhooks may be sent to it; else INVALID on ``input.url``."""
    cleaned = url.strip()
    parts = urlsplit(cleaned)
    schemes = ("https",) if settings.env == "production" else ("http", "https")
    if len(cleaned) > MAX_URL_LENGTH:
        raise InvalidInput(
            f"The URL is too long (at most {MAX_URL_LENGTH} characters).", field=URL_FIELD
        )
    if parts.scheme not in schemes or not parts.hostname:
        expected = "an https:// URL" if schemes == ("https",) else "an http:// or https:// URL"
        raise InvalidInput(
            f"Give {expected}, e.g. https://cms.example.gov.uk/hooks/portal.", field=URL_FIELD
        )
    if parts.username or parts.password:
        raise InvalidInput(
            "Leave credentials out of the URL: verify the webhook-signature header instead.",
            field=URL_FIELD,
        )
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise InvalidInput("The URL's port is not a number.", field=URL_FIELD) from None
    if not settings.webhook_allow_private:
        try:
            await check_reachable(cleaned)
        except RefusedAddress as error:
            raise InvalidInput(
                f"Webhooks cannot be sent there: {error}. Give a public address.",
                field=URL_FIELD,
            ) from None
    return cleaned
