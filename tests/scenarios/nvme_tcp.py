#!/usr/bin/env python3
"""A raw NVMe/TCP host for the lab's attack and robustness scripts.

Written from the NVMe/TCP Transport Specification 1.0 and the NVMe over
Fabrics Connect command; standard library only. PDU and command builders,
a connection that reports what the target did as events (named tuples:
Response, R2TEvent, ICRespEvent, Event), and Target, which performs the
well-formed steps (ICReq, Connect, CC.EN, an I/O queue) before an attack.
Used by tcp_bad_client.py, tcp_hostile.py, fabrics_disconnect.py and
r2t_stall.py.
"""
import os
import socket
import struct
import time
from collections import namedtuple

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

# What the target did, as Conn.send() and Conn.wait() report it. Field 0 is
# always the kind, so an event is also a plain tuple ("response", status, ...).
Response = namedtuple("Response", "kind status result cid")        # CapsuleResp
R2TEvent = namedtuple("R2TEvent", "kind ttag offset length cccid")   # R2T
ICRespEvent = namedtuple("ICRespEvent", "kind pfv cpda digest maxh2cdata")
# termreq, closed, timeout, bad-pdu, send-blocked: what happened, in words
Event = namedtuple("Event", "kind detail")

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
            return Event("closed", "send: %s" % e.__class__.__name__)
        except socket.timeout:
            return Event("send-blocked", "")
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
                    return Event("bad-pdu", "type 0x%02x plen %u" % (ptype, plen))
                rest = self._recv_exact(plen - 8, deadline)
                pdu = hdr + rest
                if flags & F_HDGST and len(pdu) >= hlen + 4:
                    want = crc32c(pdu[:hlen])
                    have = struct.unpack_from("<I", pdu, hlen)[0]
                    if want != have:
                        return Event("bad-pdu", "%s with a wrong header digest"
                                % PDU_NAMES.get(ptype, hex(ptype)))
                if ptype == C2H_TERM:
                    fes, fei = struct.unpack_from("<HI", pdu, 8)
                    return Event("termreq", "FES 0x%x FEI 0x%x" % (fes, fei))
                if ptype == RSP and hlen == 24 and plen >= 24:
                    dw0, dw1, sqhd, sqid, cid, st = \
                        struct.unpack_from("<IIHHHH", pdu, 8)
                    return Response("response", st >> 1, dw0 | (dw1 << 32), cid)
                if ptype == R2T and plen >= 24:
                    cccid, ttag, r2to, r2tl = struct.unpack_from("<HHII", pdu, 8)
                    return R2TEvent("r2t", ttag, r2to, r2tl, cccid)
                if ptype == ICRESP and plen >= 16:
                    pfv, cpda, dg, maxdata = struct.unpack_from("<HBBI", pdu, 8)
                    return ICRespEvent("icresp", pfv, cpda, dg, maxdata)
                if ptype == C2H_DATA and plen >= 24:
                    got_data += plen
                    datao, datal = struct.unpack_from("<II", pdu, 12)
                    if datao == len(self.data):
                        self.data += pdu[pdo:pdo + datal]
                    continue
                return Event("bad-pdu", "unexpected %s" % PDU_NAMES.get(ptype, hex(ptype)))
        except socket.timeout:
            return Event("timeout", "%gs%s" % (timeout, ", after C2HData" if got_data else ""))
        except EOFError as e:
            return Event("closed", "EOF" + (" mid-PDU" if e.args[0] else ""))
        except (ConnectionResetError, BrokenPipeError):
            return Event("closed", "reset")

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
            raise Answer(Event("bad-pdu", "digests %d asked, %d granted" % (dgst, ev.digest)))
        return ev

    def cdata(self, **kw):
        return connect_data(self.hostid, kw.pop("subnqn", self.subnqn),
                            kw.pop("hostnqn", self.hostnqn), **kw)

    def connect(self, c, qid=0, cntlid=0xFFFF, sqsize=31, kato=10000):
        cmd = connect_sqe(c.next_cid(), qid=qid, sqsize=sqsize, kato=kato)
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
        raise Answer(Event("bad-pdu", "CSTS.RDY not set 2s after CC.EN=1"))

    def io_ready(self, sqsize=31, kato=10000):
        """An enabled controller (admin connection A, KATO in ms) with I/O
        queue 1 (Q, SQSIZE 0's based). Returns (A, Q, LBA size of namespace 1)."""
        a = self.ready(kato=kato)
        q = None
        try:
            self.enable(a)
            self.command(a, capsule(identify_sqe(a.next_cid(), cns=0, nsid=1)))
            idns = bytes(a.data)
            if len(idns) < 4096:
                raise Answer(Event("bad-pdu", "Identify Namespace returned %d bytes" % len(idns)))
            lbads = idns[128 + 4 * (idns[26] & 0xF) + 2]
            if not 9 <= lbads <= 16:
                raise Answer(Event("bad-pdu", "Identify Namespace LBADS %d" % lbads))
            q = self.conn()
            self.icreq(q)
            self.connect(q, qid=1, cntlid=a.cntlid, sqsize=sqsize)
        except BaseException:
            a.close()
            if q:
                q.close()
            raise
        return a, q, 1 << lbads

    def ready(self, dgst=0, kato=10000):
        """A fresh connection after ICReq and an admin queue Connect."""
        c = self.conn()
        try:
            self.icreq(c, dgst)
            self.connect(c, kato=kato)
        except BaseException:
            c.close()
            raise
        return c
