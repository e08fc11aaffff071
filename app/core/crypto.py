"""Personal data at rest: identity numbers encrypted (Fernet) plus a keyed hash (HMAC-SHA256) for
look-ups; phones sealed (AES-GCM, ``seal``/``unseal``: about 2 µs a value, so lists decrypt fast) with
keyed tokens of their digit windows for search (``phone_tokens``).

The site key is never in the database nor in the data folder: app.system.keystore keeps it in the
operating system's key store (or a user-only file in the user's config folder) and activates the
site's Vault (``activate``) before the database is migrated, so that the sealed model fields
(models/sealed.py) read and write through it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

SEALED_PREFIX = "~"          # a sealed value in a column: "~" + base64(nonce | ciphertext | tag)
WINDOW = 4                   # digits in one searchable window of a phone
TOKEN_CHARS = 11             # letters of one window token (44 bits): letters only, so no digit query meets one
TOKEN_MARK = "#"             # before each window token in a search line


FILE_MAGIC = b"PDSEAL1\n"     # a whole file sealed by Vault.seal_stream
FILE_CHUNK = 1 << 20
SIZE_BYTES = 4


def read_file_header(src) -> bytes:
    """The (clear, authenticated) header of a sealed file, after its magic; ValueError if it is none."""
    if src.read(len(FILE_MAGIC)) != FILE_MAGIC:
        raise ValueError("不是加密的备份文件")
    size = int.from_bytes(src.read(2), "big")
    return src.read(size)


def new_key() -> bytes:
    """A Fernet key: 32 random bytes, url-safe base64 (no cryptography import needed)."""
    return base64.urlsafe_b64encode(os.urandom(32))


def check_digits(key: bytes) -> str:
    """Six check digits of a key (printed on the recovery sheet, asked back when it is typed in)."""
    n = int.from_bytes(hashlib.sha256(b"propertydesk-check|" + key).digest()[:8], "big")
    return f"{n % 1_000_000:06d}"


class Vault:
    def __init__(self, key: bytes):
        self._key = key
        self._fernet_obj = None  # cryptography is imported on first use (start-up time)
        self._aead_obj = None
        self._mac_key = hashlib.sha256(b"propertydesk-lookup|" + key).digest()
        self._window_key = self.derive("phone-windows")

    @property
    def key_text(self) -> str:
        """The key as printable text (the recovery sheet, ``propertydesk key import``)."""
        return self._key.decode("ascii")

    @property
    def _fernet(self):
        if self._fernet_obj is None:
            from cryptography.fernet import Fernet
            self._fernet_obj = Fernet(self._key)
        return self._fernet_obj

    @property
    def _aead(self):
        if self._aead_obj is None:
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM
            self._aead_obj = AESGCM(self.derive("seal"))
        return self._aead_obj

    def seal_stream(self, src, dest, header: bytes = b"") -> None:
        """Encrypt the binary stream *src* into *dest* in chunks of FILE_CHUNK bytes, each AES-GCM under
        the key derived for files, with the chunk's number and a last-chunk flag bound in (no chunk can
        be dropped, reordered or cut off unnoticed). *header* (not secret) is authenticated too."""
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        aead = AESGCM(self.derive("file"))
        base = os.urandom(8)
        dest.write(FILE_MAGIC + len(header).to_bytes(2, "big") + header + base)
        n, chunk = 0, src.read(FILE_CHUNK)
        while True:
            nxt = src.read(FILE_CHUNK) if chunk else b""
            last = not nxt
            aad = FILE_MAGIC + header + n.to_bytes(8, "big") + (b"\x01" if last else b"\x00")
            box = aead.encrypt(base + n.to_bytes(4, "big"), chunk, aad)
            dest.write(len(box).to_bytes(SIZE_BYTES, "big") + box)
            if last:
                return
            n, chunk = n + 1, nxt

    def unseal_stream(self, src, dest) -> bytes:
        """Decrypt what ``seal_stream`` wrote; returns its header. Raises ValueError on any change."""
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        header = read_file_header(src)
        aead = AESGCM(self.derive("file"))
        base = src.read(8)
        n = 0
        while True:
            size = src.read(SIZE_BYTES)
            if len(size) != SIZE_BYTES:
                raise ValueError("加密文件不完整")
            box = src.read(int.from_bytes(size, "big"))
            last = src.peek(1)[:1] == b"" if hasattr(src, "peek") else False
            try:
                chunk = aead.decrypt(base + n.to_bytes(4, "big"), box,
                                     FILE_MAGIC + header + n.to_bytes(8, "big") + (b"\x01" if last else b"\x00"))
            except InvalidTag:
                raise ValueError("加密文件已被改动，或不是用本站点密钥加密的") from None
            dest.write(chunk)
            if last:
                return header
            n += 1

    @classmethod
    def ephemeral(cls) -> "Vault":
        return cls(new_key())

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

    def seal(self, text: str, key: bytes | None = None) -> str:
        """``~`` + base64 of a fresh nonce and the AES-GCM ciphertext; '' stays ''. *key*: another
        32-byte key instead of the site's (the audit's per-owner keys)."""
        if not text:
            return ""
        nonce = os.urandom(12)
        aead = self._aead if key is None else _aead_for(key)
        return SEALED_PREFIX + base64.b64encode(nonce + aead.encrypt(nonce, text.encode("utf-8"), None)).decode()

    def unseal(self, token: str, key: bytes | None = None) -> str:
        """The text of a sealed value; a value that is not sealed is returned as it is (a row written
        before the schema step that seals it); one sealed under another key gives ''."""
        if not token or not token.startswith(SEALED_PREFIX):
            return token or ""
        from cryptography.exceptions import InvalidTag
        try:
            raw = base64.b64decode(token[1:])
            aead = self._aead if key is None else _aead_for(key)
            return aead.decrypt(raw[:12], raw[12:], None).decode("utf-8")
        except (InvalidTag, ValueError):
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

    def window_token(self, digits: str) -> str:
        """The keyed token of one window of WINDOW digits (lower case, as search lines are)."""
        digest = hmac.new(self._window_key, digits.encode("ascii"), hashlib.sha256).hexdigest()
        return TOKEN_MARK + digest[:TOKEN_CHARS].translate(_LETTERS)

    def phone_tokens(self, phone: str) -> list[str]:
        """The tokens of every window of WINDOW digits of a phone (its digits only, in order, no
        repeats): a fragment of WINDOW or more digits is found by its own windows' tokens."""
        digits = re.sub(r"\D", "", phone or "")
        windows = dict.fromkeys(digits[i:i + WINDOW] for i in range(len(digits) - WINDOW + 1))
        return [self.window_token(w) for w in windows]

    def phone_tokens_cached(self, phone: str) -> list[str]:
        """``phone_tokens(phone)``, each window's token kept once computed (WINDOW digits: 10,000 windows at
        most, a whole site's search lines need each many times)."""
        cache = self.__dict__.setdefault("_window_tokens", {})
        if len(cache) > WINDOW_CACHE:
            cache.clear()
        digits = re.sub(r"\D", "", phone or "")
        out = []
        for w in dict.fromkeys(digits[i:i + WINDOW] for i in range(len(digits) - WINDOW + 1)):
            token = cache.get(w)
            if token is None:
                token = cache[w] = self.window_token(w)
            out.append(token)
        return out

    def lookup_hash_fast(self, text: str) -> str:
        """``lookup_hash(text)``, the same 32 characters, by the one-shot HMAC (C) and base32 of only the
        20 bytes those characters encode (a third of the time: an import hashes every identity number)."""
        if not text:
            return ""
        digest = hmac.digest(self._mac_key, text.upper().encode("utf-8"), "sha256")
        return base64.b32encode(digest[:LOOKUP_BYTES]).decode("ascii")


WINDOW_CACHE = 20_000          # window tokens kept per Vault (10,000 ASCII windows; other digits are rare)
LOOKUP_BYTES = 20              # 32 base32 characters: the lookup hash's length

_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")
_AEADS: dict[bytes, object] = {}
AEAD_CACHE = 4096   # per-owner keys kept ready (the audit display)


def _aead_for(key: bytes):
    aead = _AEADS.get(key)
    if aead is None:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        aead = _AEADS[key] = AESGCM(key)
        if len(_AEADS) > AEAD_CACHE:
            _AEADS.clear()
    return aead


_active: list[Vault] = []


def activate(vault: Vault) -> None:
    """Make *vault* the one the sealed model fields use (the site whose database is open)."""
    _active[:] = [vault]


def active() -> Vault:
    if not _active:
        raise RuntimeError("站点密钥尚未载入（未打开站点）")
    return _active[0]


def has_active() -> bool:
    return bool(_active)
