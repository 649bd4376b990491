"""RFC 6238 codes (6 digits, 30 s) from an authenticator app, via pyotp."""

from __future__ import annotations

import hmac
import time

import pyotp

PERIOD = 30
#: One step of clock drift either way is tolerated; replay is prevented by remembering the
#: last step accepted, so a code is usable once even though its window is about 90 s.
DRIFT_STEPS = 1


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits from a CSPRNG


def provisioning_uri(secret: str, email: str, issuer: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads; ``issuer`` is PORTAL_TOTP_ISSUER."""
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose code equals ``code`` (within the drift), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((time.time() if now is None else now) // PERIOD)
    found = None
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            found = step
    return found
