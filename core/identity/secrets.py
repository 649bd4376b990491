"""Random tokens (stored only as hashes) and the encryption of TOTP secrets at rest."""

from __future__ import annotations

import base64
import hashlib
import secrets
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

#: Prefixes tell the kinds of token apart at a glance (and in leaked-secret scanners).
SESSION_PREFIX = "pps_"
API_TOKEN_PREFIX = "ppa_"
CHALLENGE_PREFIX = "ppc_"
INVITATION_PREFIX = "ppi_"
SIGN_UP_PREFIX = "ppu_"


def new_token(prefix: str) -> tuple[str, bytes]:
    """A 256-bit random token and the sha256 that is stored in its place."""
    token = prefix + secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


@lru_cache(maxsize=8)
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal totp secrets v1"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(secret_key: str, plaintext: str) -> bytes:
    return _fernet(secret_key).encrypt(plaintext.encode())


def decrypt_secret(secret_key: str, ciphertext: bytes) -> str | None:
    """The plaintext, or None if it was not encrypted with this key."""
    try:
        return _fernet(secret_key).decrypt(ciphertext).decode()
    except InvalidToken:
        return None
