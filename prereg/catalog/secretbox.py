"""Symmetric encryption from the standard library, for data shown once (password sheets).

A keystream of HMAC-SHA256(key, nonce || counter) blocks is XORed with the plaintext
(a PRF in counter mode) and the result is authenticated with HMAC-SHA256 (encrypt-then-MAC).
The key is derived from SECRET_KEY with a purpose label, so it is never the signing key itself.
"""

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

PURPOSE = b"prereg.catalog.password-sheet"


def _keys() -> tuple[bytes, bytes]:
    master = hashlib.sha256(PURPOSE + b"|" + settings.SECRET_KEY.encode()).digest()
    enc = hmac.new(master, b"enc", hashlib.sha256).digest()
    mac = hmac.new(master, b"mac", hashlib.sha256).digest()
    return enc, mac


def _xor_stream(key: bytes, nonce: bytes, data: bytes) -> bytes:
    """`data` XOR the keystream: encrypts and decrypts alike."""
    blocks = range((len(data) + 31) // 32)  # 32 bytes of keystream a block
    stream = b"".join(hmac.new(key, nonce + i.to_bytes(8, "big"), hashlib.sha256).digest() for i in blocks)
    return bytes(a ^ b for a, b in zip(data, stream, strict=False))  # the last block may run past `data`


def seal(plaintext: str) -> str:
    enc, mac = _keys()
    nonce = secrets.token_bytes(16)
    body = _xor_stream(enc, nonce, plaintext.encode())
    tag = hmac.new(mac, nonce + body, hashlib.sha256).digest()
    return base64.b64encode(nonce + tag + body).decode()


def open_sealed(token: str) -> str:
    enc, mac = _keys()
    raw = base64.b64decode(token)
    nonce, tag, body = raw[:16], raw[16:48], raw[48:]
    if not hmac.compare_digest(tag, hmac.new(mac, nonce + body, hashlib.sha256).digest()):
        raise ValueError("sealed data was altered or the key changed")
    return _xor_stream(enc, nonce, body).decode()
