#!/usr/bin/env python3
"""Raw NVMe/TCP client that attacks an NVMe/TCP target with malformed PDUs.

    tcp_bad_client.py ADDRESS PORT SUBNQN HOSTNQN [--only NAME[,NAME...]]

Written from the NVMe/TCP Transport Specification 1.0 and the NVMe over Fabrics
Connect command; standard library only. It first proves it speaks the protocol
(ICReq, admin Connect with in-capsule data, Property Get CAP, the same with
header and data digests, Connect whose data is solicited by an R2T), then runs
each attack on a fresh TCP connection and records what the target did:

    termreq   a C2HTermReq arrived (its FES is printed)
    closed    the connection ended (EOF or reset)
    response  a CapsuleResp arrived (its status is printed)
    r2t       an R2T arrived (the target asks for the command's data)
    timeout   the connection stayed open with no answer for TIMEOUT seconds

An attack case fails only when it ends in "timeout" although the target had
received everything it needed to detect the error (a complete header, or a
complete PDU) and so must react; cases where the target may legitimately keep
waiting for bytes that never come (a truncated PDU) accept a timeout. The
sanity cases fail unless the command succeeds. One line per case; exit status
1 when any case failed.
"""
import os
import socket
import struct
import sys
import time

TIMEOUT = 5.0          # bounded wait for a reaction
SHORT = 1.0            # wait where no reaction is expected (truncated PDU)
BUDGET = 85.0          # the whole run stays under 90 s

# PDU types (NVMe/TCP 1.0, 3.6.1)
ICREQ, ICRESP, H2C_TERM, C2H_TERM, CMD, RSP, H2C_DATA, C2H_DATA, R2T = \
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09
# common header flags
F_HDGST, F_DDGST, F_LAST, F_SUCCESS = 0x01, 0x02, 0x04, 0x08
PDU_NAMES = {ICREQ: "ICReq", ICRESP: "ICResp", H2C_TERM: "H2CTermReq",
             C2H_TERM: "C2HTermReq", CMD: "CapsuleCmd", RSP: "CapsuleResp",
             H2C_DATA: "H2CData", C2H_DATA: "C2HData", R2T: "R2T"}

# SGL descriptor types (byte 15 of the descriptor)
SGL_INCAPSULE = 0x01   # data block, offset subtype: in-capsule data
SGL_TRANSPORT = 0x5A   # transport SGL data block, transport-specific subtype

# ---------------------------------------------------------------- crc32c


def _crc_table():
    tab = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        tab.append(c)
    return tab


_CRC_TAB = _crc_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TAB[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def digest(data):
    return struct.pack("<I", crc32c(data))

# ---------------------------------------------------------------- builders


def ch(ptype, flags, hlen, pdo, plen):
    """Common header: type, flags, hlen, pdo, plen."""
    return struct.pack("<BBBBI", ptype, flags, hlen, pdo, plen)


def icreq(pfv=0, hpda=0, dgst=0, maxr2t=0, hlen=128, plen=128, ptype=ICREQ):
    body = struct.pack("<HBBI", pfv, hpda, dgst, maxr2t)
    return (ch(ptype, 0, hlen, 0, plen) + body).ljust(128, b"\0")


def sgl(length, stype, addr=0):
    return struct.pack("<QI3xB", addr, length, stype)


def sqe(opcode, cid, sgl_desc, nsid=0, flags=0x40, tail=b"", fctype=None):
    """64-byte SQE; TAIL is written from byte 40 (CDW10) on."""
    b = bytearray(64)
    b[0] = opcode
    b[1] = flags
    struct.pack_into("<H", b, 2, cid)
    if fctype is not None:
        b[4] = fctype            # fabrics commands: fctype at byte 4
    else:
        struct.pack_into("<I", b, 4, nsid)
    b[24:40] = sgl_desc
    b[40:40 + len(tail)] = tail
    return bytes(b)


def connect_sqe(cid, qid=0, sqsize=31, recfmt=0, kato=10000, sgl_desc=None):
    if sgl_desc is None:
        sgl_desc = sgl(1024, SGL_INCAPSULE)
    tail = struct.pack("<HHHBxI", recfmt, qid, sqsize, 0, kato)
    return sqe(0x7F, cid, sgl_desc, fctype=0x01, tail=tail)


def nqn_field(s, terminate=True):
    raw = s.encode() if isinstance(s, str) else s
    if terminate:
        return raw[:255].ljust(256, b"\0")
    return raw[:256].ljust(256, b"a")


def connect_data(hostid, subnqn, hostnqn, cntlid=0xFFFF, term_sub=True,
                 term_host=True):
    d = bytearray(1024)
    d[0:16] = hostid
    struct.pack_into("<H", d, 16, cntlid)
    d[256:512] = nqn_field(subnqn, term_sub)
    d[512:768] = nqn_field(hostnqn, term_host)
    return bytes(d)


def prop_get_sqe(cid, offset=0, size8=True):
    tail = struct.pack("<B3xI", 1 if size8 else 0, offset)
    return sqe(0x7F, cid, sgl(0, SGL_TRANSPORT), fctype=0x04, tail=tail)


def prop_set_sqe(cid, offset, value):
    tail = struct.pack("<B3xIQ", 0, offset, value)
    return sqe(0x7F, cid, sgl(0, SGL_TRANSPORT), fctype=0x00, tail=tail)


def identify_sqe(cid, stype=SGL_TRANSPORT, length=4096, cns=1, nsid=0):
    return sqe(0x06, cid, sgl(length, stype), nsid=nsid, tail=struct.pack("<I", cns))


def write_sqe(cid, slba, nlb, length):
    return sqe(0x01, cid, sgl(length, SGL_TRANSPORT), nsid=1,
               tail=struct.pack("<QI", slba, nlb - 1))


def capsule(cmd, data=b"", hdgst=False, ddgst=False, flags=None, hlen=72,
            pdo=None, plen=None, pad=0, bad_hdgst=False, bad_ddgst=False):
    """CapsuleCmd PDU; the overrides make it malformed."""
    hd = 4 if hdgst else 0
    dd = 4 if (ddgst and data) else 0
    if flags is None:
        flags = (F_HDGST if hdgst else 0) | (F_DDGST if dd else 0)
    if pdo is None:
        pdo = (72 + hd + pad) if data else 0
    if plen is None:
        plen = 72 + hd + pad + len(data) + dd
    hdr = ch(CMD, flags, hlen, pdo, plen) + cmd
    out = hdr
    if hdgst:
        d = crc32c(hdr) ^ (0xDEADBEEF if bad_hdgst else 0)
        out += struct.pack("<I", d)
    out += b"\0" * pad + data
    if dd:
        d = crc32c(data) ^ (0xDEADBEEF if bad_ddgst else 0)
        out += struct.pack("<I", d)
    return out


def h2c_data(cccid, ttag, datao, datal, data, flags=F_LAST, plen=None,
             ptype=H2C_DATA):
    if plen is None:
        plen = 24 + len(data)
    pdo = 24 if data else 0
    return ch(ptype, flags, 24, pdo, plen) + \
        struct.pack("<HHII4x", cccid, ttag, datao, datal) + data


def term_req(ptype, fes=1, fei=0):
    return ch(ptype, 0, 24, 0, 24) + struct.pack("<HI", fes, fei).ljust(16, b"\0")

# ---------------------------------------------------------------- connection


class Answer(Exception):
    """Raised by setup steps when the target answered differently than a
    well-behaved target would at that step (the attack cannot be delivered)."""

    def __init__(self, ev):
        super().__init__(describe(ev))
        self.ev = ev


class Conn:
    def __init__(self, addr, port):
        self.s = socket.create_connection((addr, port), timeout=TIMEOUT)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.hdgst = False
        self.ddgst = False
        self.cid = 0
        self.cntlid = None

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass

    def send(self, data):
        """Sends; returns None, or an event when the target already closed."""
        try:
            self.s.settimeout(TIMEOUT)
            self.s.sendall(data)
        except (BrokenPipeError, ConnectionResetError) as e:
            return ("closed", "send: %s" % e.__class__.__name__)
        except socket.timeout:
            return ("send-blocked", "")
        return None

    def _recv_exact(self, n, deadline):
        buf = b""
        while len(buf) < n:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout()
            self.s.settimeout(left)
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError(len(buf))
            buf += chunk
        return buf

    def wait(self, timeout=TIMEOUT):
        """Reads PDUs until one that answers: returns an event tuple.
        C2HData PDUs (the data of a read command) are consumed and skipped."""
        deadline = time.monotonic() + timeout
        got_data = 0
        self.data = bytearray()
        try:
            while True:
                hdr = self._recv_exact(8, deadline)
                ptype, flags, hlen, pdo, plen = struct.unpack("<BBBBI", hdr)
                if plen < 8 or plen > (1 << 20):
                    return ("bad-pdu", "type 0x%02x plen %u" % (ptype, plen))
                rest = self._recv_exact(plen - 8, deadline)
                pdu = hdr + rest
                if flags & F_HDGST and len(pdu) >= hlen + 4:
                    want = crc32c(pdu[:hlen])
                    have = struct.unpack_from("<I", pdu, hlen)[0]
                    if want != have:
                        return ("bad-pdu", "%s with a wrong header digest"
                                % PDU_NAMES.get(ptype, hex(ptype)))
                if ptype == C2H_TERM:
                    fes, fei = struct.unpack_from("<HI", pdu, 8)
                    return ("termreq", "FES 0x%x FEI 0x%x" % (fes, fei))
                if ptype == RSP and hlen == 24 and plen >= 24:
                    dw0, dw1, sqhd, sqid, cid, st = \
                        struct.unpack_from("<IIHHHH", pdu, 8)
                    return ("response", st >> 1, dw0 | (dw1 << 32), cid)
                if ptype == R2T and plen >= 24:
                    cccid, ttag, r2to, r2tl = struct.unpack_from("<HHII", pdu, 8)
                    return ("r2t", ttag, r2to, r2tl, cccid)
                if ptype == ICRESP and plen >= 16:
                    pfv, cpda, dg, maxdata = struct.unpack_from("<HBBI", pdu, 8)
                    return ("icresp", pfv, cpda, dg, maxdata)
                if ptype == C2H_DATA and plen >= 24:
                    got_data += plen
                    datao, datal = struct.unpack_from("<II", pdu, 12)
                    if datao == len(self.data):
                        self.data += pdu[pdo:pdo + datal]
                    continue
                return ("bad-pdu", "unexpected %s" % PDU_NAMES.get(ptype, hex(ptype)))
        except socket.timeout:
            return ("timeout", "%gs%s" % (timeout, ", after C2HData" if got_data else ""))
        except EOFError as e:
            return ("closed", "EOF" + (" mid-PDU" if e.args[0] else ""))
        except (ConnectionResetError, BrokenPipeError):
            return ("closed", "reset")

    def send_wait(self, data, timeout=TIMEOUT):
        ev = self.send(data)
        if ev is not None and ev[0] == "closed":
            return ev
        return self.wait(timeout)

    def next_cid(self):
        self.cid = (self.cid + 1) & 0xFFFF
        return self.cid


def describe(ev):
    kind = ev[0]
    if kind == "response":
        st, res, cid = ev[1], ev[2], ev[3]
        sc, sct, dnr = st & 0xFF, (st >> 8) & 0x7, (st >> 14) & 1
        return "response status 0x%03x (sct %d sc 0x%02x%s) result 0x%x cid %d" % (
            st & 0x7FF, sct, sc, " dnr" if dnr else "", res, cid)
    if kind == "r2t":
        return "r2t ttag 0x%x offset %d length %d" % (ev[1], ev[2], ev[3])
    if kind == "icresp":
        return "icresp pfv %d cpda %d digest %d maxh2cdata %d" % ev[1:]
    return " ".join(str(x) for x in ev if x != "")

# ---------------------------------------------------------------- the target


class Target:
    def __init__(self, addr, port, subnqn, hostnqn):
        self.addr, self.port = addr, port
        self.subnqn, self.hostnqn = subnqn, hostnqn
        self.hostid = os.urandom(16)
        self.maxh2c = 0

    def conn(self):
        return Conn(self.addr, self.port)

    def icreq(self, c, dgst=0):
        ev = c.send_wait(icreq(dgst=dgst))
        if ev[0] != "icresp" or ev[1] != 0:
            raise Answer(ev)
        self.maxh2c = ev[4]
        c.hdgst = bool(ev[3] & 1)
        c.ddgst = bool(ev[3] & 2)
        if (dgst & 1) != (ev[3] & 1) or (dgst & 2) != (ev[3] & 2):
            raise Answer(("bad-pdu", "digests %d asked, %d granted" % (dgst, ev[3])))
        return ev

    def cdata(self, **kw):
        return connect_data(self.hostid, kw.pop("subnqn", self.subnqn),
                            kw.pop("hostnqn", self.hostnqn), **kw)

    def connect(self, c, qid=0, cntlid=0xFFFF):
        cmd = connect_sqe(c.next_cid(), qid=qid)
        ev = c.send_wait(capsule(cmd, self.cdata(cntlid=cntlid),
                                 hdgst=c.hdgst, ddgst=c.ddgst))
        if ev[0] != "response" or ev[1] != 0:
            raise Answer(ev)
        c.cntlid = ev[2] & 0xFFFF
        return ev

    def command(self, c, pdu):
        ev = c.send_wait(pdu)
        if ev[0] != "response" or ev[1] != 0:
            raise Answer(ev)
        return ev

    def enable(self, c):
        """CC.EN=1 (IOSQES 6, IOCQES 4) and wait for CSTS.RDY."""
        self.command(c, capsule(prop_set_sqe(c.next_cid(), 0x14, 0x00460001)))
        for _ in range(40):
            ev = self.command(c, capsule(prop_get_sqe(c.next_cid(), 0x1C, False)))
            if ev[2] & 1:
                return
            time.sleep(0.05)
        raise Answer(("bad-pdu", "CSTS.RDY not set 2s after CC.EN=1"))

    def io_ready(self):
        """An enabled controller (admin connection A) with I/O queue 1 (Q).
        Returns (A, Q, LBA size of namespace 1)."""
        a = self.ready()
        q = None
        try:
            self.enable(a)
            self.command(a, capsule(identify_sqe(a.next_cid(), cns=0, nsid=1)))
            idns = bytes(a.data)
            if len(idns) < 4096:
                raise Answer(("bad-pdu", "Identify Namespace returned %d bytes" % len(idns)))
            lbads = idns[128 + 4 * (idns[26] & 0xF) + 2]
            if not 9 <= lbads <= 16:
                raise Answer(("bad-pdu", "Identify Namespace LBADS %d" % lbads))
            q = self.conn()
            self.icreq(q)
            self.connect(q, qid=1, cntlid=a.cntlid)
        except BaseException:
            a.close()
            if q:
                q.close()
            raise
        return a, q, 1 << lbads

    def ready(self, dgst=0):
        """A fresh connection after ICReq and an admin queue Connect."""
        c = self.conn()
        try:
            self.icreq(c, dgst)
            self.connect(c)
        except BaseException:
            c.close()
            raise
        return c

# ---------------------------------------------------------------- the cases
#
# Each case function gets the Target and returns the event that ends it.
# REQ: a timeout fails the case (the target had all it needs to react).
# OPT: a timeout is acceptable (the target may be waiting for more bytes).
# GOOD: a sanity case; it must end in a successful CapsuleResp.

REQ, OPT, GOOD, INFO = "required", "optional", "good", "info"
CASES = []


def case(name, kind, why):
    def reg(fn):
        CASES.append((name, kind, why, fn))
        return fn
    return reg


@case("good-connect-propget", GOOD, "ICReq, admin Connect (in-capsule), Property Get CAP")
def _(t):
    c = t.conn()
    try:
        t.icreq(c)
        t.connect(c)
        ev = c.send_wait(capsule(prop_get_sqe(c.next_cid())))
        if ev[0] == "response" and ev[1] == 0:
            if ev[2] & 0xFFFF == 0:     # CAP.MQES is at least 1
                return ("bad-pdu", "CAP 0x%x has MQES 0" % ev[2])
        return ev
    finally:
        c.close()


@case("good-digests", GOOD, "header+data digests negotiated: Connect and Property Get with correct digests")
def _(t):
    c = t.conn()
    try:
        t.icreq(c, dgst=3)
        t.connect(c)
        return c.send_wait(capsule(prop_get_sqe(c.next_cid()), hdgst=True))
    finally:
        c.close()


# Where the Write cases put their data: byte offset 192 MiB of namespace 1
# (the scenario's fio stays within the first 32 MiB of a 256 MiB namespace).
WRITE_AT = 192 << 20
WRITE_LEN = 32768   # more than the in-tree target's 16 KiB in-capsule limit


def _write_r2t(t, attack=None):
    """Write WRITE_LEN bytes by transport SGL on I/O queue 1. Without ATTACK,
    answers every R2T with correct H2CData; with it, sends ATTACK(cid, ttag,
    r2to, r2tl) in reply to the first R2T."""
    a, q, lba = t.io_ready()
    try:
        cid = q.next_cid()
        ev = q.send_wait(capsule(write_sqe(cid, WRITE_AT // lba, WRITE_LEN // lba, WRITE_LEN)))
        if ev[0] != "r2t":
            return ev if attack is None else ("n/a",) + ev
        if attack is not None:
            return q.send_wait(attack(cid, ev[1], ev[2], ev[3]))
        data = bytes(range(256)) * (WRITE_LEN // 256)
        while ev[0] == "r2t":
            ttag, off, length = ev[1], ev[2], ev[3]
            if off + length > WRITE_LEN or length == 0:
                return ("bad-pdu", "R2T offset %d length %d for %d bytes" % (off, length, WRITE_LEN))
            pdus = b""
            step = t.maxh2c or length
            for o in range(off, off + length, step):
                n = min(step, off + length - o)
                pdus += h2c_data(cid, ttag, o, n, data[o:o + n],
                                 flags=F_LAST if o + n == off + length else 0)
            ev = q.send_wait(pdus)
        return ev
    finally:
        q.close()
        a.close()


@case("good-write-r2t", GOOD, "I/O queue Connect, then a 32 KiB Write by transport SGL: "
      "R2T, H2CData, success")
def _(t):
    return _write_r2t(t)


# INFO: the in-tree target (7.2, tcp.c nvmet_tcp_queue_response) never sends
# the R2T for a write whose transport-SGL length fits its in-capsule limit: it
# takes the data for in-capsule data that has not arrived yet, and both sides
# wait. Spec-wise the R2T is due; recorded, not judged, so that the scenario
# runs against the reference.
@case("connect-by-r2t", "info", "Connect whose 1024 bytes of data are solicited by R2T "
      "(transport SGL) instead of sent in-capsule")
def _(t):
    c = t.conn()
    try:
        t.icreq(c)
        cid = c.next_cid()
        ev = c.send_wait(capsule(connect_sqe(cid, sgl_desc=sgl(1024, SGL_TRANSPORT))))
        if ev[0] != "r2t":
            return ev
        if ev[2] != 0 or ev[3] != 1024:
            return ("bad-pdu", "R2T offset %d length %d for 1024 bytes" % (ev[2], ev[3]))
        return c.send_wait(h2c_data(cid, ev[1], 0, 1024, t.cdata()))
    finally:
        c.close()

# --- before ICReq: the only PDU a controller accepts first is an ICReq


@case("pdu-before-icreq", REQ, "CapsuleCmd (Connect) as the first PDU")
def _(t):
    c = t.conn()
    try:
        return c.send_wait(capsule(connect_sqe(1), t.cdata()))
    finally:
        c.close()


@case("h2cdata-before-icreq", REQ, "H2CData as the first PDU")
def _(t):
    c = t.conn()
    try:
        return c.send_wait(h2c_data(1, 0, 0, 512, b"\0" * 512))
    finally:
        c.close()

# --- ICReq: fixed HLEN=PLEN=128, PFV 0; HPDA 0..31


def _raw_first(t, pdu, ic=False):
    c = t.conn()
    try:
        if ic:
            t.icreq(c)
        return c.send_wait(pdu)
    finally:
        c.close()


@case("icreq-bad-pfv", REQ, "ICReq with PFV 1 (only 0 exists)")
def _(t):
    return _raw_first(t, icreq(pfv=1))


@case("icreq-bad-hlen", REQ, "ICReq with HLEN 64 (must be 128)")
def _(t):
    return _raw_first(t, icreq(hlen=64))


@case("icreq-plen-big", REQ, "ICReq with PLEN 4096 (must be 128): the full 128-byte header "
      "is there, PLEN is checkable")
def _(t):
    return _raw_first(t, icreq(plen=4096))


@case("icreq-plen-small", REQ, "ICReq with PLEN 8 (less than HLEN)")
def _(t):
    return _raw_first(t, icreq(plen=8))


@case("icreq-bad-hpda", REQ, "ICReq with HPDA 0xff (valid range 0..31)")
def _(t):
    return _raw_first(t, icreq(hpda=0xFF))


@case("second-icreq", REQ, "a second ICReq after the ICResp")
def _(t):
    return _raw_first(t, icreq(), ic=True)

# --- PDU types a host never sends


@case("unknown-type-0x0c", REQ, "PDU type 0x0c (reserved), HLEN 24")
def _(t):
    return _raw_first(t, ch(0x0C, 0, 24, 0, 24) + b"\0" * 16, ic=True)


@case("unknown-type-0xff", REQ, "PDU type 0xff (reserved), HLEN 24")
def _(t):
    return _raw_first(t, ch(0xFF, 0, 24, 0, 24) + b"\0" * 16, ic=True)


@case("host-sends-icresp", REQ, "ICResp sent by the host")
def _(t):
    return _raw_first(t, icreq(ptype=ICRESP), ic=True)


@case("host-sends-capsuleresp", REQ, "CapsuleResp sent by the host")
def _(t):
    return _raw_first(t, ch(RSP, 0, 24, 0, 24) + b"\0" * 16, ic=True)


@case("host-sends-c2hdata", REQ, "C2HData (512 bytes) sent by the host")
def _(t):
    return _raw_first(t, h2c_data(1, 0, 0, 512, b"\0" * 512, ptype=C2H_DATA), ic=True)


@case("host-sends-r2t", REQ, "R2T sent by the host")
def _(t):
    return _raw_first(t, ch(R2T, 0, 24, 0, 24) + struct.pack("<HHII4x", 1, 0, 0, 512),
                      ic=True)


@case("host-sends-c2htermreq", REQ, "C2HTermReq sent by the host")
def _(t):
    return _raw_first(t, term_req(C2H_TERM), ic=True)


@case("h2c-termreq", REQ, "H2CTermReq (FES 1): the controller must close the connection")
def _(t):
    c = t.ready()
    try:
        return c.send_wait(term_req(H2C_TERM))
    finally:
        c.close()

# --- CapsuleCmd header fields


@case("capsule-hlen-64", REQ, "CapsuleCmd with HLEN 64 (must be 72), 64 bytes sent")
def _(t):
    cmd = capsule(prop_get_sqe(1), hlen=64, plen=64)[:64]
    return _raw_first(t, cmd, ic=True)


@case("capsule-hlen-128", REQ, "CapsuleCmd with HLEN 128, 128 bytes sent")
def _(t):
    cmd = capsule(prop_get_sqe(1), hlen=128, plen=128).ljust(128, b"\0")
    return _raw_first(t, cmd, ic=True)


def _after_connect(t, pdu, dgst=0, timeout=TIMEOUT, enable=False):
    c = t.ready(dgst)
    try:
        if enable:
            t.enable(c)
        return c.send_wait(pdu(c) if callable(pdu) else pdu, timeout)
    finally:
        c.close()


@case("capsule-plen-lt-hlen", REQ, "Property Get with PLEN 8 (less than HLEN 72)")
def _(t):
    return _after_connect(t, capsule(prop_get_sqe(9), plen=8))


@case("capsule-plen-huge", REQ, "Property Get with PLEN 0xFFFFFFF0, no data: PLEN exceeds any "
      "capsule the target allows and the SGL says no data, detectable from the header")
def _(t):
    return _after_connect(t, capsule(prop_get_sqe(9), plen=0xFFFFFFF0))


@case("capsule-pdo-in-header", REQ, "Connect with in-capsule data and PDO 8 (inside the header)")
def _(t):
    return _raw_first(t, capsule(connect_sqe(1), t.cdata(), pdo=8), ic=True)


@case("capsule-pdo-misaligned", REQ, "Connect with PDO 73 (1 pad byte; CPDA 0 allows it, "
      "the target must then skip the pad)")
def _(t):
    return _raw_first(t, capsule(connect_sqe(1), t.cdata(), pad=1), ic=True)


@case("capsule-pdo-past-plen", REQ, "Connect with PDO 200: data offset disagrees with PLEN "
      "and the SGL length")
def _(t):
    return _raw_first(t, capsule(connect_sqe(1), t.cdata(), pdo=200), ic=True)


@case("hdgst-flag-not-negotiated", REQ, "Property Get with HDGSTF set (and a digest) although "
      "no digests were negotiated")
def _(t):
    pdu = capsule(prop_get_sqe(9), hdgst=True)
    return _after_connect(t, pdu)


@case("hdgst-wrong", REQ, "header digests negotiated, Connect with a wrong header digest")
def _(t):
    c = t.conn()
    try:
        t.icreq(c, dgst=1)
        return c.send_wait(capsule(connect_sqe(1), t.cdata(), hdgst=True, bad_hdgst=True))
    finally:
        c.close()


@case("hdgst-flag-cleared", REQ, "header digests negotiated, Connect with HDGSTF cleared "
      "(digest bytes still sent)")
def _(t):
    c = t.conn()
    try:
        t.icreq(c, dgst=1)
        return c.send_wait(capsule(connect_sqe(1), t.cdata(), hdgst=True, flags=0))
    finally:
        c.close()


@case("ddgst-wrong", REQ, "data digests negotiated, Connect with a wrong data digest")
def _(t):
    c = t.conn()
    try:
        t.icreq(c, dgst=2)
        return c.send_wait(capsule(connect_sqe(1), t.cdata(), ddgst=True, bad_ddgst=True))
    finally:
        c.close()

# --- SGL / in-capsule data


@case("incapsule-too-large", REQ, "Connect with 64 KiB of in-capsule data (beyond any "
      "target's in-capsule limit), all of it sent")
def _(t):
    data = t.cdata().ljust(65536, b"\0")
    cmd = connect_sqe(1, sgl_desc=sgl(len(data), SGL_INCAPSULE))
    return _raw_first(t, capsule(cmd, data), ic=True)


@case("incapsule-sgl-beyond", REQ, "Connect whose in-capsule SGL (offset 1024, length 1024) "
      "points past the 1024 bytes of data in the capsule")
def _(t):
    cmd = connect_sqe(1, sgl_desc=sgl(1024, SGL_INCAPSULE, addr=1024))
    return _raw_first(t, capsule(cmd, t.cdata()), ic=True)


@case("sgl-unknown-type", REQ, "Identify with SGL descriptor type 0xe0 (reserved)")
def _(t):
    return _after_connect(t, lambda c: capsule(identify_sqe(c.next_cid(), stype=0xE0)),
                          enable=True)


@case("sgl-keyed-rdma", REQ, "Identify with a keyed SGL data block (0x40, RDMA only)")
def _(t):
    return _after_connect(t, lambda c: capsule(identify_sqe(c.next_cid(), stype=0x40)),
                          enable=True)


@case("sgl-length-4g", REQ, "Identify asking for 0xFFFFFFFF bytes by transport SGL")
def _(t):
    return _after_connect(t, lambda c: capsule(identify_sqe(c.next_cid(), length=0xFFFFFFFF)),
                          enable=True)

# --- H2CData


@case("h2c-unknown-ttag", REQ, "H2CData with TTAG 0xfffe, no R2T outstanding")
def _(t):
    return _after_connect(t, lambda c: h2c_data(c.cid, 0xFFFE, 0, 512, b"\0" * 512))


@case("h2c-unsolicited-ttag0", REQ, "H2CData with TTAG 0, no R2T outstanding")
def _(t):
    return _after_connect(t, lambda c: h2c_data(c.cid, 0, 0, 512, b"\0" * 512))


def _after_r2t(t, attack):
    """The Write of good-write-r2t; ATTACK(cid, ttag, r2to, r2tl) answers its R2T.
    Without an R2T there is nothing to attack: judged as the answer we got."""
    return _write_r2t(t, attack)


@case("h2c-bad-offset", REQ, "H2CData with DATAO 512 past the R2T's offset (R2TO)")
def _(t):
    return _after_r2t(t, lambda cid, tt, o, n: h2c_data(cid, tt, o + 512, 512, b"\0" * 512))


@case("h2c-offset-beyond", REQ, "H2CData with DATAO = R2TO + R2TL: past the solicited range")
def _(t):
    return _after_r2t(t, lambda cid, tt, o, n: h2c_data(cid, tt, o + n, 512, b"\0" * 512))


@case("h2c-datal-ne-plen", REQ, "H2CData with DATAL 1024 but PLEN 24+512 (512 bytes sent)")
def _(t):
    return _after_r2t(t, lambda cid, tt, o, n: h2c_data(cid, tt, o, 1024, b"\0" * 512))


@case("h2c-datal-zero", REQ, "H2CData with DATAL 0, PLEN 24")
def _(t):
    return _after_r2t(t, lambda cid, tt, o, n: h2c_data(cid, tt, o, 0, b""))


@case("h2c-too-long", REQ, "H2CData with R2TL + 512 bytes: more than the R2T solicited")
def _(t):
    return _after_r2t(t, lambda cid, tt, o, n: h2c_data(cid, tt, o, n + 512, b"\0" * (n + 512)))

# --- Connect command and data


def _connect_case(t, qid=0, sqsize=31, recfmt=0, cntlid=0xFFFF, **kw):
    c = t.conn()
    try:
        t.icreq(c)
        cmd = connect_sqe(c.next_cid(), qid=qid, sqsize=sqsize, recfmt=recfmt)
        return c.send_wait(capsule(cmd, t.cdata(cntlid=cntlid, **kw)))
    finally:
        c.close()


@case("cmd-before-connect", REQ, "Property Get on a new admin queue before any Connect")
def _(t):
    return _raw_first(t, capsule(prop_get_sqe(1)), ic=True)


@case("connect-hostnqn-unterminated", REQ, "Connect with a 256-byte HOSTNQN without NUL")
def _(t):
    return _connect_case(t, hostnqn=b"nqn.2014-08.org.example:" + b"x" * 240, term_host=False)


@case("connect-subnqn-unterminated", REQ, "Connect with a 256-byte SUBNQN without NUL "
      "(starts with the real NQN)")
def _(t):
    return _connect_case(t, subnqn=t.subnqn.encode() + b"x" * 256, term_sub=False)


@case("connect-sqsize-0", REQ, "admin Connect with SQSIZE 0")
def _(t):
    return _connect_case(t, sqsize=0)


@case("connect-recfmt-1", REQ, "Connect with RECFMT 1")
def _(t):
    return _connect_case(t, recfmt=1)


@case("connect-admin-cntlid-1", REQ, "admin Connect with CNTLID 1 (dynamic model needs 0xffff)")
def _(t):
    return _connect_case(t, cntlid=1)


@case("connect-unknown-subsys", REQ, "Connect to a subsystem that does not exist")
def _(t):
    return _connect_case(t, subnqn="nqn.2026-11.org.nvmet-oot:no-such-subsystem")


@case("connect-io-bad-cntlid", REQ, "I/O queue (qid 1) Connect to controller 0xffee, "
      "which does not exist")
def _(t):
    return _connect_case(t, qid=1, cntlid=0xFFEE)


@case("connect-data-short", REQ, "Connect with 512 bytes of data (1024 required)")
def _(t):
    c = t.conn()
    try:
        t.icreq(c)
        cmd = connect_sqe(1, sgl_desc=sgl(512, SGL_INCAPSULE))
        return c.send_wait(capsule(cmd, t.cdata()[:512]))
    finally:
        c.close()


@case("connect-twice", REQ, "a second admin Connect on a connected admin queue")
def _(t):
    return _after_connect(t, lambda c: capsule(connect_sqe(c.next_cid()), t.cdata()))

# --- truncated PDUs: the target cannot know more is not coming; we close


@case("half-icreq-close", OPT, "60 bytes of an ICReq, then close")
def _(t):
    return _raw_first_short(t, icreq()[:60])


def _raw_first_short(t, pdu, ready=False):
    c = t.ready() if ready else t.conn()
    try:
        return c.send_wait(pdu, SHORT)
    finally:
        c.close()


@case("half-header-close", OPT, "4 bytes of a CapsuleCmd header after Connect, then close")
def _(t):
    return _raw_first_short(t, capsule(prop_get_sqe(9))[:4], ready=True)


@case("half-sqe-close", OPT, "40 of 72 bytes of a CapsuleCmd after Connect, then close")
def _(t):
    return _raw_first_short(t, capsule(prop_get_sqe(9))[:40], ready=True)


@case("half-data-close", OPT, "Connect header and 512 of its 1024 data bytes, then close")
def _(t):
    c = t.conn()
    try:
        t.icreq(c)
        return c.send_wait(capsule(connect_sqe(1), t.cdata())[:72 + 512], SHORT)
    finally:
        c.close()

# --- flood


@case("flood-10000", REQ, "10000 Property Gets in one burst without reading, then read: "
      "the target must answer (responses, or a close when the SQ overflows)")
def _(t):
    c = t.ready()
    try:
        burst = b"".join(capsule(prop_get_sqe((i + 2) & 0xFFFF)) for i in range(10000))
        ev = c.send(burst)
        if ev is not None and ev[0] == "closed":
            return ev
        return c.wait()
    finally:
        c.close()


@case("good-after", GOOD, "the sanity client again, after all attacks")
def _(t):
    return CASES[0][3](t)

# ---------------------------------------------------------------- main


def judge(kind, ev):
    """Returns (passed, reason)."""
    if ev[0] == "setup":
        return False, "a well-formed ICReq/Connect before the attack failed"
    if ev[0] == "n/a":
        ev = ev[1:]
    if kind == INFO:
        return True, ""
    if kind == GOOD:
        if ev[0] == "response" and ev[1] == 0:
            return True, ""
        return False, "a well-formed exchange did not succeed"
    if ev[0] == "timeout" and kind == REQ:
        return False, "no reaction although the target had the complete malformed header/PDU"
    return True, ""


def main(argv):
    if len(argv) < 5:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    t = Target(argv[1], int(argv[2]), argv[3], argv[4])
    only = None
    if len(argv) > 6 and argv[5] == "--only":
        only = set(argv[6].split(","))
    start = time.monotonic()
    failed = 0
    width = max(len(n) for n, _, _, _ in CASES)
    for name, kind, why, fn in CASES:
        if only and name not in only:
            continue
        if time.monotonic() - start > BUDGET:
            print("%-*s  FAIL  not run: the %gs budget is spent" % (width, name, BUDGET))
            failed += 1
            continue
        t0 = time.monotonic()
        try:
            ev = fn(t)
        except Answer as a:
            ev = ("setup",) + a.ev
        except (ConnectionRefusedError, socket.timeout, OSError) as e:
            ev = ("setup", "connect: %s" % e)
        ok, reason = judge(kind, ev)
        failed += not ok
        text = describe(ev[1:]) if ev[0] in ("setup", "n/a") else describe(ev)
        if ev[0] == "setup":
            text = "setup got " + text
        elif ev[0] == "n/a":
            text = "no R2T to attack, got " + text
        print("%-*s  %-4s  %-8s %s (%.1fs)%s" % (
            width, name, "ok" if ok else "FAIL", kind, text, time.monotonic() - t0,
            "  <- " + reason if reason else ""))
        print("%-*s        # %s" % (width, "", why))
        sys.stdout.flush()
    total = time.monotonic() - start
    print("# %d cases, %d failed, %.1fs" % (len(CASES) if not only else len(only), failed, total))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
