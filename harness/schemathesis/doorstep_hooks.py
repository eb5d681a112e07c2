"""Schemathesis hooks for Doorstep's device API (loaded through SCHEMATHESIS_HOOKS by run.py).

- Every request is signed as an enrolled device signs it (doorstep_contract::wire::request_message):
  a requests auth runs on the prepared request, so the signature covers the exact method,
  path-and-query and body bytes that go on the wire, with a fresh time and nonce each time
  (a retried or replayed case is signed anew, never refused as a replay).
- `doorstep_error_body`: every 4xx answer is the server's Error schema, a JSON object with
  string `error` and `message`.
- Every response is logged (one JSON line) to $DOORSTEP_ST_LOG for run.py's summary.
"""

import hashlib
import json
import os
import secrets
import threading
import time

import requests
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

DEVICE = os.environ["DOORSTEP_ST_DEVICE"]
KEY = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(os.environ["DOORSTEP_ST_KEY"]))
LOG = os.environ["DOORSTEP_ST_LOG"]
_lock = threading.Lock()


def request_message(method, path_and_query, unix_time, nonce, body):
    """The bytes a device signs: wire.rs request_message, line for line."""
    digest = hashlib.sha256(body).hexdigest()
    return (
        f"doorstep-request-v1\n{method.upper()}\n{path_and_query}\n{unix_time}\n{nonce}\n{digest}"
    ).encode()


def sign(method, path_and_query, body):
    """The four headers of a signed request."""
    t = int(time.time())
    nonce = secrets.token_hex(16)
    sig = KEY.sign(request_message(method, path_and_query, t, nonce, body)).hex()
    return {
        "x-doorstep-device": DEVICE,
        "x-doorstep-time": str(t),
        "x-doorstep-nonce": nonce,
        "x-doorstep-signature": sig,
    }


def body_bytes(body):
    if body is None:
        return b""
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    raise TypeError(f"cannot sign a streamed body ({type(body).__name__})")


class DoorstepAuth(requests.auth.AuthBase):
    """Signs the prepared request: what it hashes is what requests sends."""

    def __call__(self, r):
        r.headers.update(sign(r.method, r.path_url, body_bytes(r.body)))
        return r


@schemathesis.hook
def before_call(context, case, kwargs):
    kwargs["auth"] = DoorstepAuth()


def error_body(response):
    """None when the body is the Error schema, else what is wrong with it."""
    try:
        doc = json.loads(response.content)
    except ValueError:
        return "not JSON"
    if not isinstance(doc, dict):
        return "JSON but not an object"
    missing = [k for k in ("error", "message") if not isinstance(doc.get(k), str)]
    if missing:
        return "no string " + " and ".join(missing)
    return None


def _text(b, limit=400):
    if b is None:
        return ""
    if isinstance(b, str):
        b = b.encode("utf-8", "replace")
    s = b[:limit].decode("utf-8", "replace")
    return s + ("…" if len(b) > limit else "")


@schemathesis.hook
def after_call(context, case, response):
    req = response.request
    status = response.status_code
    line = {
        "operation": f"{case.operation.method.upper()} {case.operation.path}",
        "method": req.method,
        "path": req.path_url,
        "content_type": req.headers.get("Content-Type"),
        "body": _text(req.body),
        "body_len": len(body_bytes(req.body)) if not hasattr(req.body, "read") else None,
        "status": status,
        "response_type": (response.headers.get("content-type") or [None])[0],
        "response": _text(response.content),
    }
    if 400 <= status < 500:
        line["unclear"] = error_body(response)
    with _lock, open(LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")


@schemathesis.check
def doorstep_error_body(ctx, response, case):
    """A 4xx answer is the server's Error schema: JSON with string `error` and `message`."""
    if 400 <= response.status_code < 500:
        why = error_body(response)
        if why is not None:
            raise AssertionError(
                f"{response.status_code} answer is not the Error schema ({why}): {_text(response.content, 200)!r}"
            )
