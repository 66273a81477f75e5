#!/usr/bin/env python3
"""A raw NVMe/TCP host for the lab's attack and robustness scripts.

Written from the NVMe/TCP Transport Specification 1.0 and the NVMe over
Fabrics Connect command; standard library only. PDU and command builders,
a connection that reports what the target did as events (named tuples:
Response, R2TEvent, ICRespEvent, Event), and Target, which performs the
well-formed steps (ICReq, Connect, CC.EN, an I/O queue) before an attack.
Used by tcp_bad_client.py, tcp_hostile.py, fabrics_disconnect.py,
r2t_stall.py and auth_bad_client.py; the last also uses the in-band
authentication part (DH-HMAC-CHAP, NVMe Base 2.x 8.3.5: Authentication Send
and Receive, the message layouts, the key format and the responses; the NULL
DH group only).
"""
import base64
import hashlib
import hmac
import os
import socket
import struct
import time
import zlib
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

    def wait(self, timeout=TIMEOUT, keep_data=False):
        """Reads PDUs until one that answers: returns an event tuple.
        C2HData PDUs (the data of a read command) are collected in self.data,
        which starts empty unless KEEP_DATA (a caller that skipped another
        command's completion in between and still waits for the data's)."""
        deadline = time.monotonic() + timeout
        got_data = 0
        if not keep_data:
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

# ---------------------------------------------------------------- in-band authentication
#
# Authentication Send (fabrics command type 05h) carries a message of TL
# bytes to the controller, Authentication Receive (06h) asks for the next one
# into a buffer of AL bytes. Both name the security protocol (SECP E9h: NVMe
# in-band authentication) and its specific fields SPSP0 = SPSP1 = 01h.

FCTYPE_AUTH_SEND, FCTYPE_AUTH_RECV = 0x05, 0x06
SECP_AUTH = 0xE9

# Connect response, Dword 0: bits 15:0 controller ID, then AUTHREQ: ATR
# (authentication transaction required) is bit 17 and ASCR (secure channel
# concatenation required) bit 18, as Linux (host and target) defines them.
CONNECT_ATR, CONNECT_ASCR = 1 << 17, 1 << 18

# Status codes (SCT 0) of this area
SC_INVALID_FIELD, SC_CMD_SEQ_ERROR, SC_INTERNAL = 0x002, 0x00C, 0x006
SC_SGL_INVALID_DATA, SC_AUTH_REQUIRED = 0x00F, 0x191
DNR = 0x4000

# AUTH_TYPE and AUTH_ID of the messages
AUTH_COMMON, AUTH_DHCHAP = 0x00, 0x01
NEGOTIATE, CHALLENGE, REPLY, SUCCESS1, SUCCESS2 = 0x00, 0x01, 0x02, 0x03, 0x04
FAILURE2, FAILURE1 = 0xF0, 0xF1
MSG_NAMES = {NEGOTIATE: "negotiate", CHALLENGE: "challenge", REPLY: "reply",
             SUCCESS1: "success1", SUCCESS2: "success2", FAILURE1: "failure1",
             FAILURE2: "failure2"}
AUTHID_DHCHAP = 0x01

# Hash functions (HashID) and DH groups (DHgID)
HASHES = {1: hashlib.sha256, 2: hashlib.sha384, 3: hashlib.sha512}
HASH_NAMES = {1: "hmac(sha256)", 2: "hmac(sha384)", 3: "hmac(sha512)"}
DHGROUP_NULL = 0x00
DHGROUPS = (0x00, 0x01, 0x02, 0x03, 0x04, 0x05)

# Failure reason code explanations (AUTH_Failure1/2 RCODEEXP)
FAILED, NOT_USABLE, CONCAT_MISMATCH, HASH_UNUSABLE = 0x01, 0x02, 0x03, 0x04
DHGROUP_UNUSABLE, INCORRECT_PAYLOAD, INCORRECT_MESSAGE = 0x05, 0x06, 0x07


def auth_sqe(cid, fctype, length, secp=SECP_AUTH, spsp0=1, spsp1=1, sgl_desc=None):
    """Authentication Send (FCTYPE 05h, LENGTH is TL) or Receive (06h, AL):
    SECP, SPSP0 and SPSP1 in bytes 41..43, TL/AL in CDW11. The default SGL
    is in-capsule data of LENGTH bytes for Send, a transport SGL for Receive."""
    if sgl_desc is None:
        if fctype == FCTYPE_AUTH_SEND:
            sgl_desc = sgl(length & 0xFFFFFFFF, SGL_INCAPSULE)
        else:
            sgl_desc = sgl(length & 0xFFFFFFFF, SGL_TRANSPORT)
    tail = struct.pack("<xBBBI", spsp0, spsp1, secp, length & 0xFFFFFFFF)
    return sqe(0x7F, cid, sgl_desc, fctype=fctype, tail=tail)


def auth_send_capsule(cid, msg, tl=None, **kw):
    """An Authentication Send of MSG in-capsule; TL defaults to len(MSG)."""
    cmd = auth_sqe(cid, FCTYPE_AUTH_SEND, len(msg) if tl is None else tl,
                   sgl_desc=kw.pop("sgl_desc", sgl(len(msg), SGL_INCAPSULE)), **kw)
    return capsule(cmd, msg)


def auth_recv_capsule(cid, al, **kw):
    return capsule(auth_sqe(cid, FCTYPE_AUTH_RECV, al, **kw))


def protocol_descriptor(hashes=(1, 2, 3), groups=DHGROUPS, authid=AUTHID_DHCHAP,
                        halen=None, dhlen=None):
    """64 bytes: AUTHID, reserved, HALEN, DHLEN, then 30 bytes of hash IDs
    and 30 bytes of DH group IDs (IDLIST)."""
    d = bytearray(64)
    d[0] = authid
    d[2] = len(hashes) if halen is None else halen
    d[3] = len(groups) if dhlen is None else dhlen
    d[4:4 + len(hashes)] = bytes(hashes)
    d[34:34 + len(groups)] = bytes(groups)
    return bytes(d)


def negotiate_msg(tid, descriptors=None, sc_c=0, napd=None, auth_type=AUTH_COMMON,
                  auth_id=NEGOTIATE):
    """AUTH_Negotiate: AUTH_TYPE 00h, AUTH_ID 00h, reserved, T_ID, SC_C, NAPD,
    then NAPD protocol descriptors."""
    if descriptors is None:
        descriptors = [protocol_descriptor()]
    return struct.pack("<BBHHBB", auth_type, auth_id, 0, tid, sc_c,
                       len(descriptors) if napd is None else napd) + b"".join(descriptors)


def reply_msg(tid, rval, c2=None, seqnum=0, dhv=b"", hl=None, dhvlen=None,
              auth_id=REPLY, cvalid=None):
    """DH-HMAC-CHAP_Reply: header (16 bytes: type 01h, id 02h, reserved, T_ID,
    HL, reserved, CVALID, reserved, DHVLEN, SEQNUM), then the response (HL
    bytes), the challenge C2 (HL bytes, zero when CVALID is 0), the DH value."""
    h = len(rval) if hl is None else hl
    if cvalid is None:
        cvalid = 1 if c2 is not None else 0
    c2 = c2 if c2 is not None else b"\0" * len(rval)
    return struct.pack("<BBHHBBBBHI", AUTH_DHCHAP, auth_id, 0, tid, h, 0, cvalid, 0,
                       len(dhv) if dhvlen is None else dhvlen, seqnum) + rval + c2 + dhv


def success2_msg(tid):
    return struct.pack("<BBHH", AUTH_DHCHAP, SUCCESS2, 0, tid) + b"\0" * 10


def failure2_msg(tid, rcode=1, rcode_exp=FAILED, auth_type=AUTH_COMMON):
    return struct.pack("<BBHHBB", auth_type, FAILURE2, 0, tid, rcode, rcode_exp)


AuthMsg = namedtuple("AuthMsg", "name auth_type auth_id tid fields")


def parse_auth(data):
    """The controller's message: AuthMsg with a dict of its fields, or None."""
    if len(data) < 6:
        return None
    atype, aid, _, tid = struct.unpack_from("<BBHH", data)
    f = {}
    if aid == CHALLENGE and atype == AUTH_DHCHAP and len(data) >= 16:
        hl, _, hashid, dhgid, dhvlen, seq = struct.unpack_from("<BBBBHI", data, 6)
        f = dict(hl=hl, hashid=hashid, dhgid=dhgid, dhvlen=dhvlen, seqnum=seq,
                 cval=bytes(data[16:16 + hl]), dhv=bytes(data[16 + hl:16 + hl + dhvlen]))
    elif aid == SUCCESS1 and atype == AUTH_DHCHAP and len(data) >= 16:
        hl, _, rvalid = struct.unpack_from("<BBB", data, 6)
        f = dict(hl=hl, rvalid=rvalid, rval=bytes(data[16:16 + hl]))
    elif aid == FAILURE1 and len(data) >= 8:
        rcode, rexp = struct.unpack_from("<BB", data, 6)
        f = dict(rcode=rcode, rexp=rexp)
    return AuthMsg(MSG_NAMES.get(aid, "id-0x%02x" % aid), atype, aid, tid, f)


def describe_auth(m):
    if m is None:
        return "no message"
    f = m.fields
    if m.auth_id == CHALLENGE and f:
        return "challenge(hash %d hl %d dhgroup %d dhvlen %d tid %d)" % (
            f["hashid"], f["hl"], f["dhgid"], f["dhvlen"], m.tid)
    if m.auth_id == SUCCESS1 and f:
        return "success1(hl %d rvalid %d tid %d)" % (f["hl"], f["rvalid"], m.tid)
    if m.auth_id == FAILURE1 and f:
        return "failure1(rcode %d rexp 0x%02x tid %d)" % (f["rcode"], f["rexp"], m.tid)
    return "%s(type %d tid %d)" % (m.name, m.auth_type, m.tid)

# Keys: "DHHC-1:XX:<base64 of key || CRC-32 of key, little endian>:", XX the
# hash of the key transformation (00 none, 01..03 SHA-256/384/512); keys are
# 32, 48 or 64 bytes.


def parse_secret(secret):
    """(transform hash ID, key bytes) of a DHHC-1 secret; ValueError if bad."""
    parts = secret.strip().split(":")
    if len(parts) < 3 or parts[0] != "DHHC-1":
        raise ValueError("not a DHHC-1 secret")
    tf = int(parts[1], 10)
    raw = base64.b64decode(parts[2], validate=True)
    if len(raw) not in (36, 52, 68):
        raise ValueError("key of %d bytes" % (len(raw) - 4))
    key, crc = raw[:-4], struct.unpack("<I", raw[-4:])[0]
    if zlib.crc32(key) != crc:
        raise ValueError("CRC mismatch")
    return tf, key


def transform_key(tf, key, nqn):
    """The key as used: itself (transform 0), or HMAC-H(key, NQN ||
    "NVMe-over-Fabrics") with the transform's hash."""
    if tf == 0:
        return key
    return hmac.new(key, nqn.encode() + b"NVMe-over-Fabrics", HASHES[tf]).digest()


def dhchap_response(hashid, tkey, challenge, seqnum, tid, sc_c, role, nqn1, nqn2):
    """HMAC-H(key, C || SEQNUM (LE32) || T_ID (LE16) || SC_C || role || NQN1
    || 00h || NQN2): the host's response (role "HostHost", NQN1 the host's)
    or the controller's ("Controller", NQN1 the subsystem's)."""
    data = (challenge + struct.pack("<IHB", seqnum, tid, sc_c) + role.encode() +
            nqn1.encode() + b"\0" + nqn2.encode())
    return hmac.new(tkey, data, HASHES[hashid]).digest()


class Auth:
    """One side of DH-HMAC-CHAP for a host: secrets, and the Authentication
    Send/Receive exchanges on a connection (NULL DH group only)."""

    def __init__(self, target, secret, ctrl_secret=None):
        self.t = target
        self.secret = secret
        self.ctrl_secret = ctrl_secret

    def send(self, c, msg, tl=None, **kw):
        """Authentication Send; returns the event (a Response when answered)."""
        return c.send_wait(auth_send_capsule(c.next_cid(), msg, tl=tl, **kw))

    def recv(self, c, al=4096, **kw):
        """Authentication Receive; returns (event, AuthMsg or None)."""
        ev = c.send_wait(auth_recv_capsule(c.next_cid(), al, **kw))
        if ev[0] == "response" and ev[1] == 0:
            return ev, parse_auth(bytes(c.data))
        return ev, None

    def host_response(self, ch, tid, sc_c=0):
        tf, key = parse_secret(self.secret)
        tkey = transform_key(tf, key, self.t.hostnqn)
        return dhchap_response(ch.fields["hashid"], tkey, ch.fields["cval"],
                               ch.fields["seqnum"], tid, sc_c, "HostHost",
                               self.t.hostnqn, self.t.subnqn)

    def ctrl_response(self, hashid, c2, seqnum, tid, sc_c=0):
        tf, key = parse_secret(self.ctrl_secret)
        tkey = transform_key(tf, key, self.t.subnqn)
        return dhchap_response(hashid, tkey, c2, seqnum, tid, sc_c, "Controller",
                               self.t.subnqn, self.t.hostnqn)

    def reply_for(self, ch, tid, bidirectional=False, seqnum=None):
        """The Reply to challenge CH; with BIDIRECTIONAL, a fresh C2 and a
        SEQNUM (default random, non-zero). Returns (message, c2, seqnum)."""
        rval = self.host_response(ch, tid)
        if not bidirectional:
            return reply_msg(tid, rval), None, 0
        c2 = os.urandom(len(rval))
        s2 = seqnum if seqnum is not None else (struct.unpack("<I", os.urandom(4))[0] | 1)
        return reply_msg(tid, rval, c2=c2, seqnum=s2), c2, s2

    def authenticate(self, c, tid=1, bidirectional=None, hashes=(1, 2, 3),
                     groups=DHGROUPS):
        """A whole transaction, offering HASHES and GROUPS (default: all, as
        the Linux host does; the target must choose the NULL group, the only
        one this client can do); returns a list of what happened, each a
        short string ("0x000", "challenge(...)", "success1(...)", "ctrl-ok")."""
        if bidirectional is None:
            bidirectional = self.ctrl_secret is not None
        obs = []
        ev = self.send(c, negotiate_msg(tid, [protocol_descriptor(hashes, groups)]))
        obs.append(status_word(ev))
        if ev[0] != "response" or ev[1]:
            return obs
        ev, ch = self.recv(c)
        obs.append(status_word(ev) if ch is None else describe_auth(ch))
        if ch is None or ch.auth_id != CHALLENGE or ch.fields["dhgid"] != DHGROUP_NULL:
            return obs
        msg, c2, s2 = self.reply_for(ch, tid, bidirectional)
        ev = self.send(c, msg)
        obs.append(status_word(ev))
        if ev[0] != "response" or ev[1]:
            return obs
        ev, s1 = self.recv(c)
        obs.append(status_word(ev) if s1 is None else describe_auth(s1))
        if s1 is None or s1.auth_id != SUCCESS1 or not bidirectional:
            return obs
        want = self.ctrl_response(ch.fields["hashid"], c2, s2, tid)
        good = s1.fields["rvalid"] == 1 and s1.fields["rval"] == want
        obs.append("ctrl-ok" if good else "ctrl-bad")
        ev = self.send(c, success2_msg(tid) if good else failure2_msg(tid))
        obs.append(status_word(ev))
        return obs


def status_word(ev):
    """A short word for an event: "0x000", "0x191/dnr" (status code type and
    code, DNR), or the event kind (closed, timeout, termreq...)."""
    if ev[0] == "response":
        return "0x%03x%s" % (ev[1] & 0x7FF, "/dnr" if ev[1] & DNR else "")
    return ev[0]
