"""The quick forms of app/core/crypto.py's look-ups (issue 20: an import hashes every identity number and
indexes every phone) give exactly what the originals give."""
from __future__ import annotations

import random

from app.core.crypto import Vault


def test_lookup_hash_fast_is_lookup_hash():
    vault = Vault.ephemeral()
    rng = random.Random(20)
    texts = ["610113197003030022", "61011319700303002x", "E12345678", "护照A1234", "0"]
    texts += ["".join(rng.choice("0123456789X") for _ in range(rng.randint(1, 30))) for _ in range(500)]
    for text in texts:
        assert vault.lookup_hash_fast(text) == vault.lookup_hash(text)
        assert len(vault.lookup_hash_fast(text)) == 32
    assert vault.lookup_hash_fast("") == "" == vault.lookup_hash("")
    assert Vault.ephemeral().lookup_hash_fast(texts[0]) != vault.lookup_hash_fast(texts[0])   # keyed


def test_phone_tokens_cached_is_phone_tokens():
    vault = Vault.ephemeral()
    phones = ["13912345678", "029-88886699转8001", "+16502530000", "7654321", "123", "", "1111 1111 1111"]
    phones += [f"139{n:08d}" for n in range(0, 3000, 7)]
    for _round in range(2):                       # computed, then from the cache
        for phone in phones:
            assert vault.phone_tokens_cached(phone) == vault.phone_tokens(phone)
    assert vault.phone_tokens_cached("13912345678") != Vault.ephemeral().phone_tokens_cached("13912345678")
