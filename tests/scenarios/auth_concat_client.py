#!/usr/bin/env python3
"""Raw NVMe/TCP host for secure channel concatenation (DH-HMAC-CHAP with SC_C).

    auth_concat_client.py auth    ADDRESS PORT SUBNQN HOSTNQN SECRET SC_C [CTRL_SECRET|--no-c2]
    auth_concat_client.py ioqueue ADDRESS PORT SUBNQN HOSTNQN SECRET SC_C
    auth_concat_client.py keys    DESCRIPTION
    auth_concat_client.py live    PREFIX
    auth_concat_client.py selftest

auth: an admin queue over plain TCP (ICReq, Connect, CC.EN=1) authenticates
with AUTH_Negotiate SC_C (0 none, 2 NEWTLSPSK, 3 REPLACETLSPSK), offering
every hash and DH group as the Linux host does; the target must choose
ffdhe2048, ffdhe3072, ffdhe4096 or the NULL group (the groups this host
does). With SC_C set, the Reply carries C2 (CVALID 1) with sequence number
0: not bidirectional, C2 only seeds the PSK. With CTRL_SECRET the host authenticates the
controller too (C2 with a non-zero sequence number): the controller's
response in Success1 is checked ("ctrl-ok"), then Success2. With --no-c2
the Reply carries no C2 (CVALID 0), which leaves nothing to seed a PSK
with. After the
transaction the host computes, from its side of it alone, the TLS PSK the
target should have made and prints its identity and its bytes.

ioqueue: the same admin queue authenticates without SC_C; then I/O queue 1
connects to that controller and sends a Negotiate with SC_C there.

Each run prints one line "steps: ..." of what the target did, separated by
" ; " (the words of auth_bad_client.py: atr/no-atr, status words, the
messages received, then closed, or Identify's status and open), then for a
TLS PSK "identity: NVMe1Ghh <hostnqn> <subnqn> <digest>" and "tls-psk: <hex>".
Exits 0 when the exchange could be run (the caller judges the line), 1 when
a step before it was answered otherwise (printed as "setup: ...").

keys: the keys of type psk in /proc/keys whose description is DESCRIPTION:
"count N", then "key SERIAL(decimal) EXPIRY DATALEN" for each.
live: those whose description starts with PREFIX, neither revoked nor
expired: "count N", then "key SERIAL(hex, as sysfs tls_key) DESCRIPTION".

Written from the NVMe Base Specification 2.1 (8.3.5: DH-HMAC-CHAP, the
augmented challenge; secure channel concatenation), the NVMe/TCP Transport
Specification (3.6.1.3: the generated PSK, its digest and identity; the TLS
PSK by HKDF-Expand-Label, RFC 8446 7.1, over HKDF-Extract, RFC 5869) and
RFC 7919 (the ffdhe primes from their formula); standard library only, on
top of nvme_tcp.py.
"""
import base64
import hashlib
import hmac
import os
import re
import struct
import sys

import nvme_tcp as tc

# ---------------------------------------------------------------- ffdhe groups


def _e_fixed(bits):
    """floor(e * 2^BITS), from e = sum 1/k! in fixed point with guard bits."""
    guard = 64
    one = 1 << (bits + guard)
    total, term, k = 0, one, 0
    while term:
        total += term
        k += 1
        term //= k
    return total >> guard


def ffdhe_prime(bits, constant):
    """RFC 7919: p = 2^b - 2^(b-64) + {[2^(b-130) e] + X} * 2^64 - 1."""
    return (1 << bits) - (1 << (bits - 64)) + \
        (_e_fixed(bits - 130) + constant) * (1 << 64) - 1


P2048 = ffdhe_prime(2048, 560316)
# RFC 7919 A.1 prints p in hex: its first and last 64 bits.
assert "%x" % (P2048 >> 1984) == "ffffffffffffffff"
assert "%x" % ((P2048 >> 1920) & ((1 << 64) - 1)) == "adf85458a2bb4a9a"
assert "%x" % ((P2048 >> 64) & ((1 << 64) - 1)) == "886b423861285c97"
assert P2048 & ((1 << 64) - 1) == (1 << 64) - 1
# DH group IDs (DHgID) this host does; the selftest checks each prime
# (a wrong constant gives no safe prime).
GROUPS = {0x01: P2048, 0x02: ffdhe_prime(3072, 2625351), 0x03: ffdhe_prime(4096, 5736041)}


class DH:
    """One side of an ffdhe exchange (generator 2) in group GID."""

    def __init__(self, gid):
        self.p = GROUPS[gid]
        self.len = (self.p.bit_length() + 7) // 8
        # 320 bits of private exponent with the top bit set (RFC 7919 asks
        # for at least 225, 275 and 325 bits for ffdhe2048/3072/4096).
        self.x = int.from_bytes(os.urandom(48), "big") | (1 << 383)
        self.pub = pow(2, self.x, self.p).to_bytes(self.len, "big")

    def shared(self, peer):
        y = int.from_bytes(peer, "big")
        if len(peer) != self.len or not 1 < y < self.p - 1:
            raise ValueError("the target's DH value does not fit the group (%d bytes)" % len(peer))
        return pow(y, self.x, self.p).to_bytes(self.len, "big")

# ---------------------------------------------------------------- the TLS PSK


def H(hashid):
    return tc.HASHES[hashid]


def hmac_h(hashid, key, data):
    return hmac.new(key, data, H(hashid)).digest()


def session_key(hashid, shared):
    """KS = H(g^xy mod p), the hash of the DH shared secret, big endian,
    as long as p. (HMAC keyed with g^xy itself is the same: a key longer than
    the hash's block is hashed first.)"""
    return H(hashid)(shared).digest()


def tls_psk(hashid, ks, c1, c2, hostnqn, subnqn):
    """(identity, TLS PSK) of a concatenation with session key KS:
    generated PSK = HMAC(KS, C1 || C2); digest = Base64(HMAC(PSK, NQNh || " " ||
    NQNc || " NVMe-over-Fabrics")); TLS PSK = HKDF-Expand-Label(
    HKDF-Extract(zero salt, PSK), "nvme-tls-psk", "hh <digest>", hash length)."""
    hl = H(hashid)().digest_size
    psk = hmac_h(hashid, ks, c1 + c2)
    text = ("%s %s NVMe-over-Fabrics" % (hostnqn, subnqn)).encode()
    digest = base64.b64encode(hmac_h(hashid, psk, text)).decode()
    prk = hmac_h(hashid, b"\0" * hl, psk)
    label = b"tls13 nvme-tls-psk"
    ctx = ("%02d %s" % (hashid, digest)).encode()
    info = struct.pack(">HB", hl, len(label)) + label + bytes([len(ctx)]) + ctx + b"\x01"
    key = hmac_h(hashid, prk, info)
    return "NVMe1G%02d %s %s %s" % (hashid, hostnqn, subnqn, digest), key

# ---------------------------------------------------------------- steps


def ready(t, kato=30000):
    """Admin queue: ICReq, Connect, CC.EN=1; returns (connection, observations)."""
    c = t.conn()
    try:
        t.icreq(c)
        ev = t.connect(c, kato=kato)
        obs = ["atr" if ev[2] & tc.CONNECT_ATR else "no-atr"]
        if ev[2] & tc.CONNECT_ASCR:
            obs.append("ascr")
        t.enable(c)
    except BaseException:
        c.close()
        raise
    return c, obs


def identify(c):
    ev = c.send_wait(tc.capsule(tc.identify_sqe(c.next_cid(), cns=1)))
    return "identify " + tc.status_word(ev)


def end_state(c, obs):
    """closed, or Identify's status and open (Property Get answered)."""
    if obs and obs[-1] == "closed":
        return
    if c.wait(1.5)[0] == "closed":
        obs.append("closed")
        return
    obs.append(identify(c))
    if obs[-1] == "identify closed":
        obs[-1] = "closed"
        return
    ev = c.send_wait(tc.capsule(tc.prop_get_sqe(c.next_cid(), 0x1C, False)))
    obs.append("open" if ev[0] == "response" else ev[0])


def authenticate(a, c, sc_c, tid=1, bidirectional=False, no_c2=False):
    """One transaction on connection C with SC_C; returns (observations,
    (identity, TLS PSK) or None)."""
    t = a.t
    obs = []
    ev = a.send(c, tc.negotiate_msg(tid, [tc.protocol_descriptor()], sc_c=sc_c))
    obs.append(tc.status_word(ev))
    if ev[0] != "response" or ev[1]:
        return obs, None
    ev, ch = a.recv(c)
    obs.append(tc.describe_auth(ch) if ch else tc.status_word(ev))
    if ch is None or ch.auth_id != tc.CHALLENGE:
        return obs, None
    f = ch.fields
    hashid = f["hashid"]
    if hashid not in tc.HASHES or f["hl"] != H(hashid)().digest_size:
        obs.append("unusable challenge")
        return obs, None
    if f["dhgid"] in GROUPS:
        dh = DH(f["dhgid"])
        ks = session_key(hashid, dh.shared(f["dhv"]))
        chal = hmac_h(hashid, ks, f["cval"])          # the augmented challenge
        dhv = dh.pub
    elif f["dhgid"] == tc.DHGROUP_NULL and not f["dhvlen"]:
        ks, chal, dhv = None, f["cval"], b""
    else:
        obs.append("unusable challenge")
        return obs, None
    tf, key = tc.parse_secret(a.secret)
    tkey = tc.transform_key(tf, key, t.hostnqn)
    rval = tc.dhchap_response(hashid, tkey, chal, f["seqnum"], tid, sc_c, "HostHost",
                              t.hostnqn, t.subnqn)
    c2 = os.urandom(len(rval)) if (sc_c or bidirectional) and not no_c2 else None
    # Unidirectional with SC_C: C2 valid with sequence number 0 (it seeds
    # the PSK only); bidirectional: a sequence number of our own, not 0.
    s2 = (struct.unpack("<I", os.urandom(4))[0] | 1) if bidirectional else 0
    ev = a.send(c, tc.reply_msg(tid, rval, c2=c2, seqnum=s2, dhv=dhv))
    obs.append(tc.status_word(ev))
    if ev[0] != "response" or ev[1]:
        return obs, None
    ev, s1 = a.recv(c)
    obs.append(tc.describe_auth(s1) if s1 else tc.status_word(ev))
    if s1 is None or s1.auth_id != tc.SUCCESS1:
        return obs, None
    if bidirectional:
        # The controller's response: HMAC(Kc', Ca2 || S2 || T_ID || SC_C ||
        # "Controller" || NQNc || 00h || NQNh), Ca2 augmented as C1 was.
        ctf, ckey = tc.parse_secret(a.ctrl_secret)
        ctkey = tc.transform_key(ctf, ckey, t.subnqn)
        chal2 = hmac_h(hashid, ks, c2) if ks is not None else c2
        want = tc.dhchap_response(hashid, ctkey, chal2, s2, tid, sc_c, "Controller",
                                  t.subnqn, t.hostnqn)
        good = s1.fields["rvalid"] == 1 and s1.fields["rval"] == want
        obs.append("ctrl-ok" if good else "ctrl-bad")
        ev = a.send(c, tc.success2_msg(tid) if good else tc.failure2_msg(tid))
        obs.append(tc.status_word(ev))
        if not good or ev[0] != "response" or ev[1]:
            return obs, None
    if not sc_c or ks is None or c2 is None:
        return obs, None
    return obs, tls_psk(hashid, ks, f["cval"], c2, t.hostnqn, t.subnqn)


def case_auth(t, a, sc_c, no_c2=False):
    c, obs = ready(t)
    try:
        o, psk = authenticate(a, c, sc_c, bidirectional=a.ctrl_secret is not None, no_c2=no_c2)
        obs += o
        end_state(c, obs)
    finally:
        c.close()
    return obs, psk


def case_ioqueue(t, a, sc_c):
    c, obs = ready(t)
    q = None
    try:
        o, _ = authenticate(a, c, 0)
        if not o or not o[-1].startswith("success1"):
            return obs + o + ["admin queue not authenticated"], None
        obs.append("admin authenticated")
        q = t.conn()
        t.icreq(q)
        ev = t.connect(q, qid=1, cntlid=c.cntlid)
        obs.append("ioconnect " + ("atr" if ev[2] & tc.CONNECT_ATR else "no-atr"))
        ev = a.send(q, tc.negotiate_msg(1, [tc.protocol_descriptor()], sc_c=sc_c))
        obs.append(tc.status_word(ev))
        if ev[0] == "response" and ev[1] == 0:
            ev, m = a.recv(q)
            obs.append(tc.describe_auth(m) if m else tc.status_word(ev))
        end_state(q, obs)
    finally:
        c.close()
        if q:
            q.close()
    return obs, None

# ---------------------------------------------------------------- /proc/keys


def psk_keys():
    """Keys of type psk in /proc/keys: [(serial, flags, expiry, datalen,
    description)]. /proc/keys: serial (hex), flags, usage, expiry, perm, uid,
    gid, type, then the type's description ("<description>: <datalen>")."""
    found = []
    with open("/proc/keys") as f:
        for line in f:
            parts = line.split(None, 8)
            if len(parts) < 9 or parts[7] != "psk":
                continue
            m = re.fullmatch(r"(.*?)(?:: (\d+))?", parts[8].rstrip("\n"))
            found.append((int(parts[0], 16), parts[1], parts[3], m.group(2) or "?", m.group(1)))
    return found


def keys(description):
    """psk keys with exactly DESCRIPTION: [(serial, expiry, datalen)]."""
    return [(k[0], k[2], k[3]) for k in psk_keys() if k[4] == description]


def live_keys(prefix):
    """psk keys whose description starts with PREFIX, neither revoked (flag
    R) nor expired: [(serial, description)]."""
    return [(k[0], k[4]) for k in psk_keys()
            if k[4].startswith(prefix) and "R" not in k[1] and k[2] != "expd"]


def selftest():
    """The primes are prime-looking (p and (p-1)/2), DH agrees, the
    derivation has the expected shape."""
    for gid, p in GROUPS.items():
        q = (p - 1) // 2
        assert pow(3, p - 1, p) == 1 and pow(3, q - 1, q) == 1, \
            "DH group %d: p or (p-1)/2 fails the Fermat test" % gid
        a, b = DH(gid), DH(gid)
        assert a.shared(b.pub) == b.shared(a.pub)
    i1, k1 = tls_psk(1, b"k" * 32, b"a" * 32, b"b" * 32, "nqn.h", "nqn.s")
    assert len(k1) == 32 and i1.startswith("NVMe1G01 nqn.h nqn.s ") and i1.endswith("=")
    i2, k2 = tls_psk(2, b"k" * 48, b"a" * 48, b"b" * 48, "nqn.h", "nqn.s")
    assert len(k2) == 48 and i2.startswith("NVMe1G02 ") and len(i2.split()[3]) == 64
    print("selftest ok")


def main(argv):
    if len(argv) >= 2 and argv[1] == "selftest":
        selftest()
        return 0
    if len(argv) == 3 and argv[1] == "live":
        found = live_keys(argv[2])
        print("count %d" % len(found))
        for serial, desc in found:
            print("key %08x %s" % (serial, desc))
        return 0
    if len(argv) == 3 and argv[1] == "keys":
        found = keys(argv[2])
        print("count %d" % len(found))
        for serial, expiry, datalen in found:
            print("key %d %s %s" % (serial, expiry, datalen))
        return 0
    if len(argv) not in (8, 9) or argv[1] not in ("auth", "ioqueue") or \
            (len(argv) == 9 and argv[1] != "auth"):
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    mode, addr, port, subnqn, hostnqn, secret, sc_c = argv[1:8]
    t = tc.Target(addr, int(port), subnqn, hostnqn)
    no_c2 = len(argv) == 9 and argv[8] == "--no-c2"
    a = tc.Auth(t, secret, argv[8] if len(argv) == 9 and not no_c2 else None)
    try:
        if mode == "auth":
            obs, psk = case_auth(t, a, int(sc_c), no_c2)
        else:
            obs, psk = case_ioqueue(t, a, int(sc_c))
    except tc.Answer as e:
        print("setup: %s" % tc.describe(e.ev))
        return 1
    except (OSError, ValueError) as e:
        print("setup: %s" % e)
        return 1
    print("steps: " + " ; ".join(obs))
    if psk:
        print("identity: %s" % psk[0])
        print("tls-psk: %s" % psk[1].hex())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
