#!/usr/bin/env python3
"""Raw NVMe/TCP host that tries what a hostile or broken host may try, and
checks the target's exact answers (NVMe Base 2.x, NVMe over Fabrics, NVMe/TCP
1.0). Builds on tcp_bad_client.py (same directory).

    tcp_hostile.py ADDRESS PORT SUBNQN HOSTNQN [--only NAME[,NAME...]]
                   [--ns-subsys NQN --ns-device DEV]

SUBNQN has namespace 1 (at least 256 MiB, 512-byte or 4 KiB blocks) and
allows HOSTNQN; its port has no param_mdts. The changed-ns case needs
--ns-subsys, a subsystem without namespaces nobody else is connected to (the
case creates and removes up to 1026 namespaces on DEV through configfs).

One line per case (ok/FAIL, what happened); exit status 1 if any failed.
"""
import os
import socket
import struct
import sys
import time

import nvme_tcp as b

CFS = "/sys/kernel/config/nvmet"
DISC_NQN = "nqn.2014-08.org.nvmexpress.discovery"
SC_INVALID_FIELD = 0x002
SC_SGL_INVALID_DATA = 0x00F
SC_CONNECT_INVALID_PARAM = 0x182
SC_AUTH_REQUIRED = 0x191
ATR = 1 << 17              # Connect result: authentication required (AUTHREQ)
DNR = 0x4000
MIB = 1 << 20


class Fail(Exception):
    pass


def expect(cond, what):
    if not cond:
        raise Fail(what)


def status_is(ev, sc, dnr=True):
    return (ev[0] == "response" and (ev[1] & 0x7FF) == sc and
            (not dnr or ev[1] & DNR))


def want_status(ev, sc, what):
    expect(status_is(ev, sc), "%s: want status 0x%03x with DNR, got %s" %
           (what, sc, b.describe(ev)))


def connect_cmd(t, c, qid=0, sqsize=31, cntlid=0xFFFF, subnqn=None, kato=0):
    cmd = b.connect_sqe(c.next_cid(), qid=qid, sqsize=sqsize, kato=kato)
    data = t.cdata(cntlid=cntlid, **({"subnqn": subnqn} if subnqn else {}))
    return c.send_wait(b.capsule(cmd, data))


def admin(t, subnqn=None, enable=True):
    """ICReq, admin Connect (KATO 0: no keep alive needed), CC.EN=1."""
    c = t.conn()
    try:
        t.icreq(c)
        ev = connect_cmd(t, c, subnqn=subnqn)
        if ev[0] != "response" or ev[1] != 0:
            raise b.Answer(ev)
        c.cntlid = ev[2] & 0xFFFF
        if enable:
            t.enable(c)
    except BaseException:
        c.close()
        raise
    return c


def io_ready(t):
    """An enabled controller (admin A, KATO 0) with I/O queue 1 (Q, 128
    entries); returns (A, Q, LBA size of namespace 1)."""
    return t.io_ready(sqsize=127, kato=0)


def identify_ctrl(t, c):
    t.command(c, b.capsule(b.identify_sqe(c.next_cid(), cns=1)))
    expect(len(c.data) == 4096, "Identify Controller returned %d bytes" % len(c.data))
    return bytes(c.data)


def get_log_sqe(cid, lid, length, nsid=0xFFFFFFFF):
    numd = length // 4 - 1
    tail = struct.pack("<II", lid | (numd & 0xFFFF) << 16, numd >> 16)
    return b.sqe(0x02, cid, b.sgl(length, b.SGL_TRANSPORT), nsid=nsid, tail=tail)


def rw_sqe(opcode, cid, slba, nlb, length):
    return b.sqe(opcode, cid, b.sgl(length, b.SGL_TRANSPORT), nsid=1,
                 tail=struct.pack("<QI", slba, nlb - 1))


def collect(c, secs):
    """Every answer within SECS seconds."""
    evs = []
    end = time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return evs
        ev = c.wait(left)
        if ev[0] == "timeout":
            return evs
        evs.append(ev)
        if ev[0] in ("closed", "termreq", "bad-pdu"):
            return evs


def mem_free_kib():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemFree:"):
                return int(line.split()[1])
    return 0


CASES = []


def case(name, why):
    def reg(fn):
        CASES.append((name, why, fn))
        return fn
    return reg

# ------------------------------------------------------------ queue sizes


@case("admin-sqsize-cap", "admin Connect with SQSIZE 32 and 1023 (more than the ASQSZ 32 of "
      "the discovery log): Connect Invalid Parameters, IPO SQSIZE (44); SQSIZE 31 connects")
def _(t):
    for sqsize in (32, 1023):
        c = t.conn()
        try:
            t.icreq(c)
            ev = connect_cmd(t, c, sqsize=sqsize)
        finally:
            c.close()
        want_status(ev, SC_CONNECT_INVALID_PARAM, "SQSIZE %d" % sqsize)
        expect(ev[2] & 0xFFFFFFFF == 44, "SQSIZE %d: IATTR/IPO 0x%x, want 44" % (sqsize, ev[2]))
    admin(t, enable=False).close()
    return "SQSIZE 32 and 1023 refused at IPO 44, 31 accepted"

# ------------------------------------------------------------ discovery


@case("discovery-io-connect", "I/O queue Connect (QID 1) to a discovery controller: "
      "Connect Invalid Parameters, IPO QID (42)")
def _(t):
    a = admin(t, subnqn=DISC_NQN, enable=False)
    try:
        q = t.conn()
        try:
            t.icreq(q)
            ev = connect_cmd(t, q, qid=1, cntlid=a.cntlid, subnqn=DISC_NQN)
        finally:
            q.close()
    finally:
        a.close()
    want_status(ev, SC_CONNECT_INVALID_PARAM, "I/O Connect to discovery")
    expect(ev[2] & 0xFFFFFFFF == 42, "IATTR/IPO 0x%x, want 42" % ev[2])
    return "refused at IPO 42"


@case("discovery-cc-qes-0", "discovery controller enabled with CC.IOSQES = CC.IOCQES = 0 "
      "(no I/O queues): CSTS.RDY 1, CFS 0; the discovery log reads")
def _(t):
    c = admin(t, subnqn=DISC_NQN, enable=False)
    try:
        t.command(c, b.capsule(b.prop_set_sqe(c.next_cid(), 0x14, 0x00000001)))
        csts = 0
        for _ in range(40):
            ev = t.command(c, b.capsule(b.prop_get_sqe(c.next_cid(), 0x1C, False)))
            csts = ev[2] & 0xFFFFFFFF
            if csts & 3:
                break
            time.sleep(0.05)
        expect(csts & 3 == 1, "CSTS 0x%x (want RDY 1, CFS 0)" % csts)
        t.command(c, b.capsule(get_log_sqe(c.next_cid(), 0x70, 1024, nsid=0)))
        expect(len(c.data) == 1024, "discovery log: %d bytes" % len(c.data))
    finally:
        c.close()
    return "CSTS 0x%x, discovery log header read" % csts

# ------------------------------------------------------------ buffers


@case("identify-sgl-4m", "Identify Controller with a 4 MiB transport SGL (it returns 4 KiB): "
      "Data SGL Length Invalid; the controller goes on")
def _(t):
    c = admin(t)
    try:
        ev = c.send_wait(b.capsule(b.identify_sqe(c.next_cid(), length=4 * MIB)))
        want_status(ev, SC_SGL_INVALID_DATA, "Identify with 4 MiB SGL")
        identify_ctrl(t, c)
    finally:
        c.close()
    return "refused, the next Identify works"


@case("surplus-sgl-no-buffer", "24 Set Features (AEC 0, no data) each with a 4 MiB write "
      "SGL on one admin queue, their data never sent: R2Ts come, but the target allocates "
      "no buffers for bytes the command does not use (MemFree drops < 48 MiB, 96 MiB before)")
def _(t):
    c = admin(t)
    try:
        before = mem_free_kib()
        tail = struct.pack("<II", 0x0B, 0)
        for _ in range(24):
            cmd = b.sqe(0x09, c.next_cid(), b.sgl(4 * MIB, b.SGL_TRANSPORT), tail=tail)
            ev = c.send(b.capsule(cmd))
            expect(ev is None, "send: %s" % (ev,))
        evs = collect(c, 4)
        r2ts = [e for e in evs if e[0] == "r2t"]
        expect(len(r2ts) == 24, "%d R2Ts (want 24): %s" % (
            len(r2ts), ", ".join(b.describe(e) for e in evs if e[0] != "r2t")[:200]))
        drop = (before - mem_free_kib()) // 1024
    finally:
        c.close()
    expect(drop < 48, "MemFree dropped by %d MiB while 24 R2Ts were out" % drop)
    return "24 R2Ts, MemFree dropped by %d MiB" % drop


@case("r2t-budget", "four 4 MiB Writes by transport SGL on one I/O queue: only 8 MiB is "
      "solicited at once (2 R2Ts); each write's data brings the next R2T; all complete and "
      "read back")
def _(t):
    a, q, lba = io_ready(t)
    try:
        base = (192 * MIB) // lba
        per = 4 * MIB // lba
        data = [os.urandom(4 * MIB) for _ in range(4)]
        cids = []
        for i in range(4):
            cid = q.next_cid()
            cids.append(cid)
            ev = q.send(b.capsule(rw_sqe(0x01, cid, base + i * per, per, 4 * MIB)))
            expect(ev is None, "send: %s" % (ev,))
        r2t = {}
        for ev in collect(q, 3):
            expect(ev[0] == "r2t", "unexpected %s" % b.describe(ev))
            r2t[ev[4]] = ev
        expect(sorted(r2t) == cids[:2], "R2Ts for %s at first (want the first two of %s)"
               % (sorted(r2t), cids))
        done = set()
        for i in range(4):
            cid = cids[i]
            expect(cid in r2t, "no R2T for write %d" % i)
            ev = r2t[cid]
            expect(ev[2] == 0 and ev[3] == 4 * MIB, "R2T %s" % b.describe(ev))
            q.send(b.h2c_data(cid, ev[1], 0, 4 * MIB, data[i]))
            # Its completion, and the R2T of the write that waited for budget.
            want_r2t = cids[i + 2] if i + 2 < 4 else None
            end = time.monotonic() + 20
            while (cid not in done or (want_r2t is not None and want_r2t not in r2t)) and \
                    time.monotonic() < end:
                ev = q.wait(end - time.monotonic())
                if ev[0] == "response":
                    expect(ev[1] == 0, "write cid %d: %s" % (ev[3], b.describe(ev)))
                    done.add(ev[3])
                elif ev[0] == "r2t":
                    r2t[ev[4]] = ev
                else:
                    raise Fail("after the data of write %d: %s" % (i, b.describe(ev)))
            expect(cid in done, "write %d did not complete" % i)
            expect(want_r2t is None or want_r2t in r2t,
                   "no R2T for write %d after write %d had its data" % (i + 2, i))
        for i in (0, 3):
            n = 512 * 1024
            t.command(q, b.capsule(rw_sqe(0x02, q.next_cid(), base + i * per + per - n // lba,
                                          n // lba, n)))
            expect(bytes(q.data) == data[i][-n:], "write %d reads back different data" % i)
    finally:
        q.close()
        a.close()
    return "2 R2Ts at first, one more per completed write, 4 writes read back"

# ------------------------------------------------------------ MDTS


@case("mdts-default", "Identify Controller MDTS with param_mdts unset is what NVMe/TCP "
      "accepts (10: 4 MiB); a Read of 4 MiB + 1 block fails with Invalid Field in Command, "
      "a 4 MiB Read succeeds")
def _(t):
    a, q, lba = io_ready(t)
    try:
        idc = identify_ctrl(t, a)
        mdts = idc[77]
        expect(mdts == 10, "MDTS %d, want 10" % mdts)
        nlb = 4 * MIB // lba + 1
        ev = q.send_wait(b.capsule(rw_sqe(0x02, q.next_cid(), 0, nlb, 4 * MIB)))
        want_status(ev, SC_INVALID_FIELD, "Read of %d blocks" % nlb)
        ev = q.send_wait(b.capsule(rw_sqe(0x02, q.next_cid(), 0, nlb - 1, 4 * MIB)), 20)
        # Conn.wait reads C2HData PDUs up to 1 MiB only: a bad-pdu here is the data.
        expect(ev[0] == "bad-pdu" and "type 0x07" in ev[1] or ev[0] == "response" and ev[1] == 0,
               "4 MiB Read: %s" % b.describe(ev))
    finally:
        q.close()
        a.close()
    return "MDTS 10; 4 MiB + 1 block refused with Invalid Field"

# ------------------------------------------------------------ timers


@case("icreq-connect-timeout", "a connection that never sends its ICReq, and one that sends "
      "its ICReq but no Connect, are closed by the target (5-20 s)")
def _(t):
    t0 = time.monotonic()
    c1 = t.conn()
    c2 = t.conn()
    try:
        t.icreq(c2)
        ev1 = c1.wait(25)
        s1 = time.monotonic() - t0
        ev2 = c2.wait(max(25 - s1, 1))
        s2 = time.monotonic() - t0
    finally:
        c1.close()
        c2.close()
    expect(ev1[0] == "closed" and 5 <= s1 <= 20, "no ICReq: %s after %.1fs" % (b.describe(ev1), s1))
    expect(ev2[0] == "closed" and 5 <= s2 <= 20, "no Connect: %s after %.1fs" % (b.describe(ev2), s2))
    return "closed after %.1fs (no ICReq) and %.1fs (no Connect)" % (s1, s2)

# ------------------------------------------------------------ NN, changed namespaces


@case("identify-nn", "Identify Controller NN is the highest NSID the target accepts "
      "(FFFFFFFEh), MNAN 1024")
def _(t):
    c = admin(t)
    try:
        idc = identify_ctrl(t, c)
    finally:
        c.close()
    nn, = struct.unpack_from("<I", idc, 516)
    mnan, = struct.unpack_from("<I", idc, 540)
    expect(nn == 0xFFFFFFFE, "NN 0x%x" % nn)
    expect(mnan == 1024, "MNAN %d" % mnan)
    return "NN 0x%x, MNAN %d" % (nn, mnan)


def _cfs_write(path, val):
    with open(path, "w") as f:
        f.write(val)


def _ns_add(nqn, nsid, dev):
    d = "%s/subsystems/%s/namespaces/%d" % (CFS, nqn, nsid)
    os.mkdir(d)
    _cfs_write(d + "/device_path", dev)
    _cfs_write(d + "/enable", "1")


def _ns_del(nqn, nsid):
    d = "%s/subsystems/%s/namespaces/%d" % (CFS, nqn, nsid)
    _cfs_write(d + "/enable", "0")
    os.rmdir(d)


def _changed_log(t, c):
    t.command(c, b.capsule(get_log_sqe(c.next_cid(), 0x04, 4096)))
    expect(len(c.data) == 4096, "log 04h: %d bytes" % len(c.data))
    return list(struct.unpack("<1024I", bytes(c.data)))


@case("changed-ns", "Changed Namespace List: 1024 changed NSIDs are listed exactly; 1025 "
      "and more give FFFFFFFFh then zeros; NSIDs above 1024 work (Identify Namespace 2000)")
def _(t):
    nqn, dev = t.ns_subsys, t.ns_device
    expect(nqn and dev, "needs --ns-subsys and --ns-device")
    c = admin(t, subnqn=nqn)
    made = set()
    try:
        _changed_log(t, c)
        for nsid in range(1, 1025):            # 1024 changes: enable
            _ns_add(nqn, nsid, dev)
            made.add(nsid)
        log = _changed_log(t, c)
        expect(sorted(log) == list(range(1, 1025)),
               "after 1024 changes the log has %s..." % [hex(x) for x in log[:4]])
        for nsid in range(1, 1025):            # 1024 changes again: disable
            _cfs_write("%s/subsystems/%s/namespaces/%d/enable" % (CFS, nqn, nsid), "0")
        _ns_del(nqn, 1)
        made.discard(1)
        _ns_add(nqn, 2000, dev)                # the 1025th
        made.add(2000)
        _ns_del(nqn, 2)
        made.discard(2)
        _ns_add(nqn, 2001, dev)                # and one after the overflow
        made.add(2001)
        log = _changed_log(t, c)
        expect(log[0] == 0xFFFFFFFF and not any(log[1:]),
               "after 1026 changes the log starts %s" % [hex(x) for x in log[:4]])
        expect(not any(_changed_log(t, c)), "the log is not empty after it was read")
        t.command(c, b.capsule(b.identify_sqe(c.next_cid(), cns=0, nsid=2000)))
        nsze, = struct.unpack_from("<Q", bytes(c.data), 0)
        expect(nsze > 0, "Identify Namespace 2000: NSZE 0")
    finally:
        c.close()
        for nsid in sorted(made):
            try:
                _ns_del(nqn, nsid)
            except OSError:
                pass
    return "1024 listed, then FFFFFFFFh alone; namespace 2000 identified"


# ------------------------------------------------------------ authentication


def auth_receive_sqe(cid, al):
    """Authentication Receive (fctype 06h): SECP E9h, SPSP0/1 01h, AL."""
    tail = struct.pack("<xBBBI", 1, 1, 0xE9, al)
    return b.sqe(0x7F, cid, b.sgl(al, b.SGL_TRANSPORT), fctype=0x06, tail=tail)


@case("auth-io-queue", "host with a DH-HMAC-CHAP key (--auth-subsys): admin and I/O queue "
      "Connects answer AUTHREQ; before authenticating, Identify and a Read get Authentication "
      "Required (191h, DNR); Property Set CC.EN still works; an Authentication Receive without "
      "Negotiate gets AUTH_Failure1 (incorrect protocol message), and the controller is gone "
      "within the 5 s grace")
def _(t):
    nqn = t.auth_subsys
    expect(nqn, "needs --auth-subsys")
    a = t.conn()
    q = t.conn()
    try:
        t.icreq(a)
        ev = connect_cmd(t, a, subnqn=nqn)
        expect(ev[0] == "response" and ev[1] == 0, "admin Connect: " + b.describe(ev))
        expect(ev[2] & ATR, "admin Connect result 0x%x has no AUTHREQ" % ev[2])
        a.cntlid = ev[2] & 0xFFFF
        t.enable(a)
        ev = a.send_wait(b.capsule(b.identify_sqe(a.next_cid(), cns=1)))
        want_status(ev, SC_AUTH_REQUIRED, "Identify before authentication")
        t.icreq(q)
        ev = connect_cmd(t, q, qid=1, cntlid=a.cntlid, subnqn=nqn)
        expect(ev[0] == "response" and ev[1] == 0, "I/O queue Connect: " + b.describe(ev))
        expect(ev[2] & ATR, "I/O queue Connect result 0x%x has no AUTHREQ" % ev[2])
        ev = q.send_wait(b.capsule(rw_sqe(0x02, q.next_cid(), 0, 1, 4096)))
        want_status(ev, SC_AUTH_REQUIRED, "Read on the unauthenticated I/O queue")
        ev = q.send_wait(b.capsule(auth_receive_sqe(q.next_cid(), 4096)))
        expect(ev[0] == "response" and ev[1] == 0, "Authentication Receive: " + b.describe(ev))
        msg = bytes(q.data)
        expect(len(msg) >= 8 and msg[0] == 0 and msg[1] == 0xF1 and msg[7] == 0x07,
               "Authentication Receive returned %s, want AUTH_Failure1 reason 07h" %
               msg[:8].hex())
        evs = collect(a, 10)
        expect(evs and evs[-1][0] == "closed",
               "admin connection not closed 10 s after the failure: %s" %
               ", ".join(b.describe(e) for e in evs))
    finally:
        a.close()
        q.close()
    return "AUTHREQ on both Connects, 191h before authentication, Failure1, controller gone"


def main(argv):
    args = argv[1:]
    opts = {}
    while len(args) > 4 and args[-2].startswith("--"):
        opts[args[-2]] = args[-1]
        args = args[:-2]
    if len(args) != 4:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    t = b.Target(args[0], int(args[1]), args[2], args[3])
    t.ns_subsys = opts.get("--ns-subsys")
    t.ns_device = opts.get("--ns-device")
    t.auth_subsys = opts.get("--auth-subsys")
    only = set(opts["--only"].split(",")) if "--only" in opts else None
    failed = 0
    width = max(len(n) for n, _, _ in CASES)
    for name, why, fn in CASES:
        if only and name not in only:
            continue
        t0 = time.monotonic()
        try:
            text, ok = fn(t), True
        except Fail as e:
            text, ok = str(e), False
        except b.Answer as e:
            text, ok = "setup got " + b.describe(e.ev), False
        except (socket.timeout, OSError) as e:
            text, ok = "%s: %s" % (e.__class__.__name__, e), False
        failed += not ok
        print("%-*s  %-4s  %s (%.1fs)" % (width, name, "ok" if ok else "FAIL", text,
                                          time.monotonic() - t0))
        print("%-*s        # %s" % (width, "", why))
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
