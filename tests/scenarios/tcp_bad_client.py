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
import socket
import struct
import sys
import time

from nvme_tcp import (BUDGET, C2H_DATA, C2H_TERM, F_LAST, H2C_TERM, ICRESP, R2T, RSP,
                      SGL_INCAPSULE, SGL_TRANSPORT, SHORT, TIMEOUT, Answer, Target, capsule,
                      ch, connect_sqe, describe, h2c_data, icreq, identify_sqe, prop_get_sqe,
                      sgl, term_req, write_sqe)

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
def case_good_connect_propget(t):
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
def case_good_digests(t):
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
def case_good_write_r2t(t):
    return _write_r2t(t)


# INFO: the in-tree target (7.2, tcp.c nvmet_tcp_queue_response) never sends
# the R2T for a write whose transport-SGL length fits its in-capsule limit: it
# takes the data for in-capsule data that has not arrived yet, and both sides
# wait. Spec-wise the R2T is due; recorded, not judged, so that the scenario
# runs against the reference.
@case("connect-by-r2t", "info", "Connect whose 1024 bytes of data are solicited by R2T "
      "(transport SGL) instead of sent in-capsule")
def case_connect_by_r2t(t):
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
def case_pdu_before_icreq(t):
    c = t.conn()
    try:
        return c.send_wait(capsule(connect_sqe(1), t.cdata()))
    finally:
        c.close()


@case("h2cdata-before-icreq", REQ, "H2CData as the first PDU")
def case_h2cdata_before_icreq(t):
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
def case_icreq_bad_pfv(t):
    return _raw_first(t, icreq(pfv=1))


@case("icreq-bad-hlen", REQ, "ICReq with HLEN 64 (must be 128)")
def case_icreq_bad_hlen(t):
    return _raw_first(t, icreq(hlen=64))


@case("icreq-plen-big", REQ, "ICReq with PLEN 4096 (must be 128): the full 128-byte header "
      "is there, PLEN is checkable")
def case_icreq_plen_big(t):
    return _raw_first(t, icreq(plen=4096))


@case("icreq-plen-small", REQ, "ICReq with PLEN 8 (less than HLEN)")
def case_icreq_plen_small(t):
    return _raw_first(t, icreq(plen=8))


@case("icreq-bad-hpda", REQ, "ICReq with HPDA 0xff (valid range 0..31)")
def case_icreq_bad_hpda(t):
    return _raw_first(t, icreq(hpda=0xFF))


@case("second-icreq", REQ, "a second ICReq after the ICResp")
def case_second_icreq(t):
    return _raw_first(t, icreq(), ic=True)

# --- PDU types a host never sends


@case("unknown-type-0x0c", REQ, "PDU type 0x0c (reserved), HLEN 24")
def case_unknown_type_0x0c(t):
    return _raw_first(t, ch(0x0C, 0, 24, 0, 24) + b"\0" * 16, ic=True)


@case("unknown-type-0xff", REQ, "PDU type 0xff (reserved), HLEN 24")
def case_unknown_type_0xff(t):
    return _raw_first(t, ch(0xFF, 0, 24, 0, 24) + b"\0" * 16, ic=True)


@case("host-sends-icresp", REQ, "ICResp sent by the host")
def case_host_sends_icresp(t):
    return _raw_first(t, icreq(ptype=ICRESP), ic=True)


@case("host-sends-capsuleresp", REQ, "CapsuleResp sent by the host")
def case_host_sends_capsuleresp(t):
    return _raw_first(t, ch(RSP, 0, 24, 0, 24) + b"\0" * 16, ic=True)


@case("host-sends-c2hdata", REQ, "C2HData (512 bytes) sent by the host")
def case_host_sends_c2hdata(t):
    return _raw_first(t, h2c_data(1, 0, 0, 512, b"\0" * 512, ptype=C2H_DATA), ic=True)


@case("host-sends-r2t", REQ, "R2T sent by the host")
def case_host_sends_r2t(t):
    return _raw_first(t, ch(R2T, 0, 24, 0, 24) + struct.pack("<HHII4x", 1, 0, 0, 512),
                      ic=True)


@case("host-sends-c2htermreq", REQ, "C2HTermReq sent by the host")
def case_host_sends_c2htermreq(t):
    return _raw_first(t, term_req(C2H_TERM), ic=True)


@case("h2c-termreq", REQ, "H2CTermReq (FES 1): the controller must close the connection")
def case_h2c_termreq(t):
    c = t.ready()
    try:
        return c.send_wait(term_req(H2C_TERM))
    finally:
        c.close()

# --- CapsuleCmd header fields


@case("capsule-hlen-64", REQ, "CapsuleCmd with HLEN 64 (must be 72), 64 bytes sent")
def case_capsule_hlen_64(t):
    cmd = capsule(prop_get_sqe(1), hlen=64, plen=64)[:64]
    return _raw_first(t, cmd, ic=True)


@case("capsule-hlen-128", REQ, "CapsuleCmd with HLEN 128, 128 bytes sent")
def case_capsule_hlen_128(t):
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
def case_capsule_plen_lt_hlen(t):
    return _after_connect(t, capsule(prop_get_sqe(9), plen=8))


@case("capsule-plen-huge", REQ, "Property Get with PLEN 0xFFFFFFF0, no data: PLEN exceeds any "
      "capsule the target allows and the SGL says no data, detectable from the header")
def case_capsule_plen_huge(t):
    return _after_connect(t, capsule(prop_get_sqe(9), plen=0xFFFFFFF0))


@case("capsule-pdo-in-header", REQ, "Connect with in-capsule data and PDO 8 (inside the header)")
def case_capsule_pdo_in_header(t):
    return _raw_first(t, capsule(connect_sqe(1), t.cdata(), pdo=8), ic=True)


@case("capsule-pdo-misaligned", REQ, "Connect with PDO 73 (1 pad byte; CPDA 0 allows it, "
      "the target must then skip the pad)")
def case_capsule_pdo_misaligned(t):
    return _raw_first(t, capsule(connect_sqe(1), t.cdata(), pad=1), ic=True)


@case("capsule-pdo-past-plen", REQ, "Connect with PDO 200: data offset disagrees with PLEN "
      "and the SGL length")
def case_capsule_pdo_past_plen(t):
    return _raw_first(t, capsule(connect_sqe(1), t.cdata(), pdo=200), ic=True)


@case("hdgst-flag-not-negotiated", REQ, "Property Get with HDGSTF set (and a digest) although "
      "no digests were negotiated")
def case_hdgst_flag_not_negotiated(t):
    pdu = capsule(prop_get_sqe(9), hdgst=True)
    return _after_connect(t, pdu)


@case("hdgst-wrong", REQ, "header digests negotiated, Connect with a wrong header digest")
def case_hdgst_wrong(t):
    c = t.conn()
    try:
        t.icreq(c, dgst=1)
        return c.send_wait(capsule(connect_sqe(1), t.cdata(), hdgst=True, bad_hdgst=True))
    finally:
        c.close()


@case("hdgst-flag-cleared", REQ, "header digests negotiated, Connect with HDGSTF cleared "
      "(digest bytes still sent)")
def case_hdgst_flag_cleared(t):
    c = t.conn()
    try:
        t.icreq(c, dgst=1)
        return c.send_wait(capsule(connect_sqe(1), t.cdata(), hdgst=True, flags=0))
    finally:
        c.close()


@case("ddgst-wrong", REQ, "data digests negotiated, Connect with a wrong data digest")
def case_ddgst_wrong(t):
    c = t.conn()
    try:
        t.icreq(c, dgst=2)
        return c.send_wait(capsule(connect_sqe(1), t.cdata(), ddgst=True, bad_ddgst=True))
    finally:
        c.close()

# --- SGL / in-capsule data


@case("incapsule-too-large", REQ, "Connect with 64 KiB of in-capsule data (beyond any "
      "target's in-capsule limit), all of it sent")
def case_incapsule_too_large(t):
    data = t.cdata().ljust(65536, b"\0")
    cmd = connect_sqe(1, sgl_desc=sgl(len(data), SGL_INCAPSULE))
    return _raw_first(t, capsule(cmd, data), ic=True)


@case("incapsule-sgl-beyond", REQ, "Connect whose in-capsule SGL (offset 1024, length 1024) "
      "points past the 1024 bytes of data in the capsule")
def case_incapsule_sgl_beyond(t):
    cmd = connect_sqe(1, sgl_desc=sgl(1024, SGL_INCAPSULE, addr=1024))
    return _raw_first(t, capsule(cmd, t.cdata()), ic=True)


@case("sgl-unknown-type", REQ, "Identify with SGL descriptor type 0xe0 (reserved)")
def case_sgl_unknown_type(t):
    return _after_connect(t, lambda c: capsule(identify_sqe(c.next_cid(), stype=0xE0)),
                          enable=True)


@case("sgl-keyed-rdma", REQ, "Identify with a keyed SGL data block (0x40, RDMA only)")
def case_sgl_keyed_rdma(t):
    return _after_connect(t, lambda c: capsule(identify_sqe(c.next_cid(), stype=0x40)),
                          enable=True)


@case("sgl-length-4g", REQ, "Identify asking for 0xFFFFFFFF bytes by transport SGL")
def case_sgl_length_4g(t):
    return _after_connect(t, lambda c: capsule(identify_sqe(c.next_cid(), length=0xFFFFFFFF)),
                          enable=True)

# --- H2CData


@case("h2c-unknown-ttag", REQ, "H2CData with TTAG 0xfffe, no R2T outstanding")
def case_h2c_unknown_ttag(t):
    return _after_connect(t, lambda c: h2c_data(c.cid, 0xFFFE, 0, 512, b"\0" * 512))


@case("h2c-unsolicited-ttag0", REQ, "H2CData with TTAG 0, no R2T outstanding")
def case_h2c_unsolicited_ttag0(t):
    return _after_connect(t, lambda c: h2c_data(c.cid, 0, 0, 512, b"\0" * 512))


def _after_r2t(t, attack):
    """The Write of good-write-r2t; ATTACK(cid, ttag, r2to, r2tl) answers its R2T.
    Without an R2T there is nothing to attack: judged as the answer we got."""
    return _write_r2t(t, attack)


@case("h2c-bad-offset", REQ, "H2CData with DATAO 512 past the R2T's offset (R2TO)")
def case_h2c_bad_offset(t):
    return _after_r2t(t, lambda cid, tt, o, n: h2c_data(cid, tt, o + 512, 512, b"\0" * 512))


@case("h2c-offset-beyond", REQ, "H2CData with DATAO = R2TO + R2TL: past the solicited range")
def case_h2c_offset_beyond(t):
    return _after_r2t(t, lambda cid, tt, o, n: h2c_data(cid, tt, o + n, 512, b"\0" * 512))


@case("h2c-datal-ne-plen", REQ, "H2CData with DATAL 1024 but PLEN 24+512 (512 bytes sent)")
def case_h2c_datal_ne_plen(t):
    return _after_r2t(t, lambda cid, tt, o, n: h2c_data(cid, tt, o, 1024, b"\0" * 512))


@case("h2c-datal-zero", REQ, "H2CData with DATAL 0, PLEN 24")
def case_h2c_datal_zero(t):
    return _after_r2t(t, lambda cid, tt, o, n: h2c_data(cid, tt, o, 0, b""))


@case("h2c-too-long", REQ, "H2CData with R2TL + 512 bytes: more than the R2T solicited")
def case_h2c_too_long(t):
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
def case_cmd_before_connect(t):
    return _raw_first(t, capsule(prop_get_sqe(1)), ic=True)


@case("connect-hostnqn-unterminated", REQ, "Connect with a 256-byte HOSTNQN without NUL")
def case_connect_hostnqn_unterminated(t):
    return _connect_case(t, hostnqn=b"nqn.2014-08.org.example:" + b"x" * 240, term_host=False)


@case("connect-subnqn-unterminated", REQ, "Connect with a 256-byte SUBNQN without NUL "
      "(starts with the real NQN)")
def case_connect_subnqn_unterminated(t):
    return _connect_case(t, subnqn=t.subnqn.encode() + b"x" * 256, term_sub=False)


@case("connect-sqsize-0", REQ, "admin Connect with SQSIZE 0")
def case_connect_sqsize_0(t):
    return _connect_case(t, sqsize=0)


@case("connect-recfmt-1", REQ, "Connect with RECFMT 1")
def case_connect_recfmt_1(t):
    return _connect_case(t, recfmt=1)


@case("connect-admin-cntlid-1", REQ, "admin Connect with CNTLID 1 (dynamic model needs 0xffff)")
def case_connect_admin_cntlid_1(t):
    return _connect_case(t, cntlid=1)


@case("connect-unknown-subsys", REQ, "Connect to a subsystem that does not exist")
def case_connect_unknown_subsys(t):
    return _connect_case(t, subnqn="nqn.2026-11.org.nvmet-oot:no-such-subsystem")


@case("connect-io-bad-cntlid", REQ, "I/O queue (qid 1) Connect to controller 0xffee, "
      "which does not exist")
def case_connect_io_bad_cntlid(t):
    return _connect_case(t, qid=1, cntlid=0xFFEE)


@case("connect-data-short", REQ, "Connect with 512 bytes of data (1024 required)")
def case_connect_data_short(t):
    c = t.conn()
    try:
        t.icreq(c)
        cmd = connect_sqe(1, sgl_desc=sgl(512, SGL_INCAPSULE))
        return c.send_wait(capsule(cmd, t.cdata()[:512]))
    finally:
        c.close()


@case("connect-twice", REQ, "a second admin Connect on a connected admin queue")
def case_connect_twice(t):
    return _after_connect(t, lambda c: capsule(connect_sqe(c.next_cid()), t.cdata()))

# --- truncated PDUs: the target cannot know more is not coming; we close


@case("half-icreq-close", OPT, "60 bytes of an ICReq, then close")
def case_half_icreq_close(t):
    return _raw_first_short(t, icreq()[:60])


def _raw_first_short(t, pdu, ready=False):
    c = t.ready() if ready else t.conn()
    try:
        return c.send_wait(pdu, SHORT)
    finally:
        c.close()


@case("half-header-close", OPT, "4 bytes of a CapsuleCmd header after Connect, then close")
def case_half_header_close(t):
    return _raw_first_short(t, capsule(prop_get_sqe(9))[:4], ready=True)


@case("half-sqe-close", OPT, "40 of 72 bytes of a CapsuleCmd after Connect, then close")
def case_half_sqe_close(t):
    return _raw_first_short(t, capsule(prop_get_sqe(9))[:40], ready=True)


@case("half-data-close", OPT, "Connect header and 512 of its 1024 data bytes, then close")
def case_half_data_close(t):
    c = t.conn()
    try:
        t.icreq(c)
        return c.send_wait(capsule(connect_sqe(1), t.cdata())[:72 + 512], SHORT)
    finally:
        c.close()

# --- flood


@case("flood-10000", REQ, "10000 Property Gets in one burst without reading, then read: "
      "the target must answer (responses, or a close when the SQ overflows)")
def case_flood_10000(t):
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
def case_good_after(t):
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
