"""The whole field journey through the Python bindings against a real `doorstep serve` on
loopback: a store opened with an in-memory key vault, enrolment, the roster synced down, a
visit with fixes, checklist, photo and signature, finished, synced, receipted; and errors
arriving as typed exceptions. HTTP is Python's own (urllib), implementing the bindings'
HttpTransport."""

import hashlib
import hmac
import json
import math
import os
import secrets
import subprocess
import tempfile
import unittest
import urllib.error
import urllib.request

import doorstep_ffi as d

DOORSTEP = os.environ["DOORSTEP_BIN"]
PHOTO = os.environ["DOORSTEP_PHOTO"]
HEADER = ("id,name,id_number,gender,birth_date,categories,village_code,address,lat,lon,datum,"
          "phone,guardian_name,guardian_relation,guardian_phone,enrolments,card_status,last_visit_date")
ITEMS = ["identity_checked", "card_in_hand", "social_security_activated", "bank_activated",
         "ss_password_changed", "bank_pin_set", "sms_enabled", "balance_shown", "subsidies_seen"]


def id_number(region, birth, seq):
    """A valid GB 11643 number: the check character from the weighted sum."""
    body = f"{region}{birth}{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


class MemoryVault(d.KeyVault):
    """A key store stand-in: its key never leaves it. A keystream from SHA-256 and an
    HMAC tag over aad, nonce and ciphertext (what the Keystore's AES-GCM does)."""

    def __init__(self, key=None):
        self.key = key or secrets.token_bytes(32)

    def _stream(self, nonce, n):
        out = b""
        block = 0
        while len(out) < n:
            out += hashlib.sha256(self.key + nonce + block.to_bytes(4, "big")).digest()
            block += 1
        return out[:n]

    def wrap(self, aad, secret):
        nonce = secrets.token_bytes(12)
        body = bytes(a ^ b for a, b in zip(secret, self._stream(nonce, len(secret))))
        tag = hmac.new(self.key, aad + nonce + body, hashlib.sha256).digest()
        return nonce + body + tag

    def unwrap(self, aad, wrapped):
        nonce, body, tag = wrapped[:12], wrapped[12:-32], wrapped[-32:]
        if not hmac.compare_digest(tag, hmac.new(self.key, aad + nonce + body, hashlib.sha256).digest()):
            raise d.PlatformError.Failed("not wrapped by this key")
        return bytes(a ^ b for a, b in zip(body, self._stream(nonce, len(body))))


class UrllibTransport(d.HttpTransport):
    """The bindings' HTTP through urllib: every answer returned, whatever its status."""

    def send(self, request):
        body = request.body if request.method != "GET" else None
        req = urllib.request.Request(request.url, data=body, method=request.method,
                                     headers={h.name: h.value for h in request.headers})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, headers, data = r.status, r.headers.items(), r.read()
        except urllib.error.HTTPError as e:
            status, headers, data = e.code, e.headers.items(), e.read()
        except (urllib.error.URLError, OSError) as e:
            raise d.PlatformError.Failed(str(e))
        return d.HttpResponse(status=status, body=data,
                              headers=[d.HttpHeader(name=k, value=v) for k, v in headers])


def strokes():
    """A handwritten-looking name: one looping wave on a 600x200 pad."""
    wave = [d.StrokePoint(x=40 + s * 500 + 25 * math.cos(s * 40), y=100 + 45 * math.sin(s * 20) * (1 - s / 2),
                          t=i * 8, p=0.6) for i in range(120) for s in [i / 119]]
    return d.SignatureInput(width=600, height=200, strokes=[wave])


def fix(lat, lon, accuracy=8.0):
    return d.GpsFix(lat=lat, lon=lon, accuracy_m=accuracy, at_unix_ms=None, provider="gps", mock=False,
                    datum=d.Datum.WGS84)


class Server:
    """`doorstep serve` on a free port with a one-person roster."""

    def __init__(self, root):
        self.data = os.path.join(root, "server")
        self.proc = subprocess.Popen([DOORSTEP, "serve", "--data", self.data, "--listen", "127.0.0.1:0", "--json"],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = json.loads(self.proc.stdout.readline())["listening"]
        roster = os.path.join(root, "roster.csv")
        with open(roster, "w", encoding="utf-8") as f:
            f.write(HEADER + "\n" + f"A1,王秀兰,{id_number('410225', '19400312', 11)},,,elderly,410225100201,"
                    "兰考县某村,34.8,114.8,,,,,,GL01:高龄津贴:100:0,issued_inactive,\n")
        self.admin("import-roster", "--area", "410225", roster)

    def admin(self, *args):
        out = subprocess.run([DOORSTEP, "admin", args[0], "--data", self.data, *args[1:], "--json"],
                             check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    def code(self):
        return self.admin("enrolment-code", "--worker", "李四", "--area", "410225")["code"]

    def stop(self):
        self.proc.kill()
        self.proc.wait()


class Journey(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.server = Server(cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()

    def test_a_visit_goes_from_the_roster_to_a_receipt(self):
        vault = MemoryVault()
        store_dir = os.path.join(self.tmp.name, "phone")
        ds = d.Doorstep.create_with_vault(store_dir, "test-keystore", vault)
        http = UrllibTransport()
        enrolled = ds.enroll(http, self.server.url, self.server.code())
        self.assertEqual(enrolled.area, "410225")
        first = ds.sync(http, None)
        self.assertEqual(first.roster_rows, 1)
        due = ds.due_list(10, d.LatLon(lat=34.8, lon=114.8))
        self.assertEqual([e.id for e in due], ["A1"])
        self.assertTrue(due[0].id_number_masked.startswith("410***"))
        self.assertEqual(due[0].categories, [d.Category.ELDERLY])
        self.assertEqual(due[0].card_status, d.CardStatus.ISSUED_INACTIVE)

        v = ds.start_visit("A1")
        state = v.view()
        self.assertEqual(state.step, d.Step.KNOCK)
        self.assertIsInstance(state.missing[0].missing, d.Missing.CONTACT)
        # 1.5 km off: the flag carries its measurement, and says it in words.
        far = v.add_fix(fix(34.8135, 114.8))
        too_far = [f for f in far.flags if isinstance(f.flag, d.Flag.TOO_FAR)]
        self.assertEqual(len(too_far), 1, far.flags)
        self.assertTrue(1400 < too_far[0].flag.distance_m < 1600)
        self.assertIn(str(too_far[0].flag.distance_m), too_far[0].text)
        v.add_fix(fix(34.8, 114.8, accuracy=4.0))
        state = v.act_all([
            d.VisitAction.CONTACT(outcome=d.Outcome.MET_PERSON, present=[]),
            d.VisitAction.SUBSIDY(code="GL01", arrived=d.Arrival.YES, amount_seen_fen=10000, sms_received=True),
            d.VisitAction.SATISFACTION(level=d.SatisfactionLevel.SATISFIED, comment=""),
        ])
        self.assertEqual(state.step, d.Step.CHECKLIST)
        v.act_all([d.VisitAction.CHECKLIST(key=k, status=d.ItemStatus.DONE, note="") for k in ITEMS])
        with open(PHOTO, "rb") as f:
            state = v.add_photo(f.read())
        self.assertEqual(len(state.photos), 1)
        state = v.act(d.VisitAction.SIGN(signer=d.SignerRole.RECIPIENT, proxy_name="", relation="",
                                         strokes=strokes(), attested="本人确认以上走访内容属实"))
        self.assertTrue(state.can_finish, state.missing)
        self.assertTrue(v.signature_preview().startswith(b"\x89PNG"))
        sealed = v.finish()
        self.assertEqual(len(sealed.sha256), 64)
        # The precise fix at the door is the visit's best: the record is not flagged too far.
        self.assertFalse(any(isinstance(f.flag, d.Flag.TOO_FAR) for f in sealed.flags), sealed.flags)
        exported = v.export()
        self.assertEqual(hashlib.sha256(exported.record).hexdigest(), sealed.sha256)
        self.assertEqual(len(exported.media), 2, "the photo and the signature image")
        self.assertEqual(ds.visits()[0].progress, d.VisitProgress.WAITING)

        up = ds.sync(http, None)
        self.assertEqual((up.sent, up.receipted, up.media_sent), (1, 1, 2))
        self.assertEqual(ds.visits()[0].progress, d.VisitProgress.RECEIPTED)
        again = ds.sync(http, None)
        self.assertEqual((again.sent, again.media_sent), (0, 0))
        self.assertEqual(ds.status().unsent, 0)

        # The store reopens with the same key store, and with no other.
        del v, ds
        d.Doorstep.open_with_vault(store_dir, "test-keystore", vault)
        with self.assertRaises(d.DoorstepError.Store) as caught:
            d.Doorstep.open_with_vault(store_dir, "test-keystore", MemoryVault())
        self.assertEqual(caught.exception.code, d.ErrorCode.WRONG_KEY)

    def test_errors_arrive_typed_with_codes(self):
        store_dir = os.path.join(self.tmp.name, "passphrase-phone")
        ds = d.Doorstep.create_with_passphrase(store_dir, "a good long passphrase")
        del ds
        with self.assertRaises(d.DoorstepError.Store) as caught:
            d.Doorstep.open_with_passphrase(store_dir, "not the passphrase")
        self.assertEqual(caught.exception.code, d.ErrorCode.WRONG_KEY)
        ds = d.Doorstep.open_with_passphrase(store_dir, "a good long passphrase")
        ds.set_language(d.Language.EN)
        with self.assertRaises(d.DoorstepError.Visit) as caught:
            ds.start_visit("NOBODY")
        self.assertEqual(caught.exception.code, d.ErrorCode.NOT_FOUND)
        with self.assertRaises(d.DoorstepError.Sync) as caught:
            ds.sync(UrllibTransport(), None)
        self.assertEqual(caught.exception.code, d.ErrorCode.NOT_ENROLLED)
        with self.assertRaises(d.DoorstepError.Sync) as caught:
            ds.enroll(UrllibTransport(), self.server.url, "WRONGCODE123")
        self.assertEqual((caught.exception.code, caught.exception.http_status), (d.ErrorCode.REFUSED, 401))
        ds.enroll(UrllibTransport(), self.server.url, self.server.code())
        ds.sync(UrllibTransport(), None)
        v = ds.start_visit("A1")
        with self.assertRaises(d.DoorstepError.Visit) as caught:
            v.act(d.VisitAction.SATISFACTION(level=d.SatisfactionLevel.SATISFIED, comment=""))  # before knocking
        self.assertEqual(caught.exception.code, d.ErrorCode.INVALID)
        self.assertEqual(caught.exception.detail, "record who was met at the door first")
        self.assertEqual(v.view().step, d.Step.KNOCK, "refused actions left the draft alone")
        self.assertEqual(d.label_outcome(d.Outcome.NOBODY_HOME, d.Language.ZH), "家中无人")


if __name__ == "__main__":
    result = unittest.main(exit=False, verbosity=2).result
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    raise SystemExit(1 if failed or result.testsRun == 0 else 0)
