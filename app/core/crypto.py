"""Identity numbers at rest: encrypted (Fernet) plus a keyed hash (HMAC-SHA256) for look-ups.

The key lives in a key file beside the data (``<data-dir>/keys/site.key``), never in the
database, so the raw database file holds no identity number in clear.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import os
from pathlib import Path

KEY_FILE = Path("keys") / "site.key"


def _new_key() -> bytes:
    """A Fernet key: 32 random bytes, url-safe base64 (no cryptography import needed)."""
    return base64.urlsafe_b64encode(os.urandom(32))


class Vault:
    def __init__(self, key: bytes):
        self._key = key
        self._fernet_obj = None  # cryptography is imported on first use (start-up time)
        self._mac_key = hashlib.sha256(b"propertydesk-lookup|" + key).digest()

    @property
    def _fernet(self):
        if self._fernet_obj is None:
            from cryptography.fernet import Fernet
            self._fernet_obj = Fernet(self._key)
        return self._fernet_obj

    @classmethod
    def for_data_dir(cls, data_dir) -> "Vault":
        path = Path(data_dir) / KEY_FILE
        if path.exists():
            key = path.read_bytes().strip()
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            key = _new_key()
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(key)
            with contextlib.suppress(OSError):
                os.chmod(tmp, 0o600)
            tmp.replace(path)
        return cls(key)

    @classmethod
    def ephemeral(cls) -> "Vault":
        return cls(_new_key())

    def encrypt(self, text: str) -> str:
        if not text:
            return ""
        return self._fernet.encrypt(text.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        if not token:
            return ""
        from cryptography.fernet import InvalidToken
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            return ""

    def derive(self, label: str) -> bytes:
        """A 32-byte key for one purpose (``label``), derived from the site key: the audit chain's
        HMAC key, per-purpose look-up keys. It is as secret as the site key and never stored."""
        return hmac.new(self._key, b"propertydesk-derive|" + label.encode("utf-8"), hashlib.sha256).digest()

    def lookup_hash(self, text: str) -> str:
        if not text:
            return ""
        digest = hmac.new(self._mac_key, text.upper().encode("utf-8"), hashlib.sha256).digest()
        return base64.b32encode(digest).decode("ascii")[:32]
