"""The receiver's check documented in docs/alerts.md ("Webhook signatures"), run by the
ents-webhook tests against a real delivery: python3 verify_signature.py SECRET TIMESTAMP
SIGNATURE < body. Exits 0 when the signature is valid and fresh."""

import hashlib
import hmac
import sys
import time


def verify(secret: bytes, timestamp: str, signature: str, body: bytes, tolerance=300) -> bool:
    if abs(time.time() - int(timestamp)) > tolerance:
        return False  # too old (or from the future): a replay
    expected = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest("sha256=" + expected, signature)


if __name__ == "__main__":
    secret, timestamp, signature = sys.argv[1:4]
    sys.exit(0 if verify(secret.encode(), timestamp, signature, sys.stdin.buffer.read()) else 1)
