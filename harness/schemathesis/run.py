"""Bounded schemathesis run against a live `doorstep serve` as a real enrolled device.

Enrols a fresh Ed25519 key with the one-time code, checks that a signed request is accepted,
then runs `schemathesis run` on the server's own /api/v1/openapi.json with doorstep_hooks
signing every request. Checks: not_a_server_error (no 5xx) and doorstep_error_body (every
4xx is the Error schema). Prints the distinct findings, then one summary line:

    schemathesis: operations=N requests=N server_errors=N unclear_4xx=N

and exits 1 when server_errors or unclear_4xx is above zero (2 when the run itself failed).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

HERE = Path(__file__).resolve().parent


def die(msg):
    print(f"schemathesis: {msg}", file=sys.stderr)
    sys.exit(2)


def enrol(url, code):
    key = Ed25519PrivateKey.generate()
    raw = lambda k, enc, fmt: k.private_bytes(enc, fmt, serialization.NoEncryption())  # noqa: E731
    private = raw(key, serialization.Encoding.Raw, serialization.PrivateFormat.Raw)
    public = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    r = requests.post(f"{url}/api/v1/enrol", json={"code": code, "public_key": public.hex()}, timeout=10)
    if r.status_code != 200:
        die(f"enrolment refused: {r.status_code} {r.text[:300]}")
    return r.json()["device_id"], private.hex()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8080")
    p.add_argument("--code", required=True, help="a one-time enrolment code")
    p.add_argument("--work", required=True, help="a scratch folder for the log")
    p.add_argument("--max-examples", type=int, default=600)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--findings", help="also write every finding (JSON lines) here")
    a = p.parse_args()

    device, private = enrol(a.url, a.code)
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    log = work / "responses.ndjson"
    log.write_text("")
    env = dict(
        os.environ,
        DOORSTEP_ST_DEVICE=device,
        DOORSTEP_ST_KEY=private,
        DOORSTEP_ST_LOG=str(log),
        SCHEMATHESIS_HOOKS="doorstep_hooks",
        PYTHONPATH=os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    )

    # The control: one request signed by the hooks' own code is accepted, so that a 401 during
    # the run is the server judging generated input, not the harness signing wrongly.
    sys.path.insert(0, str(HERE))
    os.environ.update({k: env[k] for k in ("DOORSTEP_ST_DEVICE", "DOORSTEP_ST_KEY", "DOORSTEP_ST_LOG")})
    import doorstep_hooks  # noqa: E402

    r = requests.get(f"{a.url}/api/v1/roster?since=0", auth=doorstep_hooks.DoorstepAuth(), timeout=10)
    if r.status_code != 200:
        die(f"a signed GET /api/v1/roster was refused: {r.status_code} {r.text[:300]}")
    # And the server does check: the same request once more (a replay), and one signed over
    # another path, are refused.
    again = requests.get(f"{a.url}/api/v1/roster?since=0", headers=dict(r.request.headers), timeout=10)
    other = doorstep_hooks.sign("GET", "/api/v1/roster?since=1", b"")
    moved = requests.get(f"{a.url}/api/v1/roster?since=0", headers=other, timeout=10)
    if again.status_code != 401 or moved.status_code != 401:
        die(f"a replayed or re-pointed signature was not refused: {again.status_code} {moved.status_code}")
    print(f"schemathesis: device {device} enrolled; a signed roster pull answers 200, a replay and"
          " a signature for another path 401")

    cmd = [
        str(Path(sys.executable).with_name("schemathesis")),
        "--no-color",
        "run",
        f"{a.url}/api/v1/openapi.json",
        "--checks", "not_a_server_error,doorstep_error_body",
        "--max-examples", str(a.max_examples),
        "--seed", str(a.seed),
        "--workers", "1",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--generation-database", "none",
        "--generation-with-security-parameters", "false",
        "--request-timeout", "10",
        "--continue-on-failure",
    ]
    started = time.monotonic()
    st = subprocess.run(cmd, env=env, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    elapsed = time.monotonic() - started
    (work / "schemathesis.out").write_text(st.stdout)

    lines = [json.loads(x) for x in log.read_text().splitlines() if x.strip()]
    operations = {x["operation"] for x in lines}
    server_errors = [x for x in lines if x["status"] >= 500]
    unclear = [x for x in lines if x.get("unclear")]
    if a.findings:
        with open(a.findings, "w", encoding="utf-8") as f:
            for x in server_errors + unclear:
                f.write(json.dumps(x, ensure_ascii=False) + "\n")

    # One example of each distinct finding: operation, status and what the answer was.
    seen = {}
    for x in server_errors + unclear:
        kind = x.get("unclear") or "server error"
        seen.setdefault((x["operation"], x["status"], kind, x["response"][:80]), (x, 0))
        first, n = seen[(x["operation"], x["status"], kind, x["response"][:80])]
        seen[(x["operation"], x["status"], kind, x["response"][:80])] = (first, n + 1)
    for (op, status, kind, _), (x, n) in sorted(seen.items(), key=lambda kv: kv[0][:2]):
        print(f"FINDING {op} -> {status} ({kind}), {n} time(s); e.g. {x['method']} {x['path']}"
              f" content-type={x['content_type']!r} body={x['body'][:160]!r}"
              f" -> {x['response_type']!r} {x['response'][:160]!r}")
    # Schemathesis' own warnings (operations whose generated input the server mostly refuses,
    # or that keep answering 404) tell where the run did not reach deep.
    out = st.stdout.splitlines()
    if "Warnings:" in out:
        for w in out[out.index("Warnings:") + 1:]:
            if not w.strip():
                break
            print(f"schemathesis: warning: {w.strip().lstrip('⚠️ ').strip()}")
    status_counts = {}
    for x in lines:
        status_counts[x["status"]] = status_counts.get(x["status"], 0) + 1
    print("schemathesis: statuses " + " ".join(f"{k}={v}" for k, v in sorted(status_counts.items()))
          + f"; schemathesis exit {st.returncode}, {elapsed:.0f} s")
    print(f"schemathesis: operations={len(operations)} requests={len(lines)}"
          f" server_errors={len(server_errors)} unclear_4xx={len(unclear)}")

    if server_errors or unclear:
        sys.exit(1)
    if st.returncode != 0 or not lines:
        print(st.stdout[-4000:], file=sys.stderr)
        die(f"schemathesis exited {st.returncode} with {len(lines)} requests and no finding counted")


if __name__ == "__main__":
    main()
