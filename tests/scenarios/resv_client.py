#!/usr/bin/env python3
"""NVMe reservations over raw NVMe/TCP: a host of its own identity.

Written from the NVM Express Base Specification 2.x, Reservations (the
Reservation Register, Acquire, Release and Report commands, the command
behaviour in the presence of a reservation, the Reservation Notification
log page 80h, Features 82h and 83h); the transport is nvme_tcp.py. A
Ctrl is one controller (admin queue and I/O queue 1) of a host given by
its host NQN and 128-bit host identifier, so a test can be several hosts,
and several controllers of one host, at once.

Command line (one connection per call, for shell scenarios):

    resv_client.py ADDR SVC SUBNQN op HOST ACTION [ARGS] [--expect ST] [--check EXPR]

HOST is a name (A, B, C, P, ...: a fixed host NQN and host ID each, below)
or NQN,HOSTID-HEX. ACTION is one of

    register RREGA CRKEY NRKEY [--iekey] [--cptpl N]
    acquire RACQA RTYPE CRKEY [PRKEY]
    release RRELA RTYPE CRKEY
    report [--eds 0|1] [--numd N]
    read|write|write-zeroes|dsm|flush [SLBA]
    get-feature FID / set-feature FID VALUE [--sv]
    identify-ns  (prints RESCAP)

It prints "status 0xSSSS" (status field: SC, SCT, More 0x2000, DNR 0x4000)
and, for report, one JSON line. --expect STATUS (a number, or ok,
conflict, invalid, hostid-format) makes the exit status 0 only when the
status is that (More ignored); --check EXPR (Python, over the report's
gen, rtype, regctl, ptpls, keys {host: rkey}, holders [host], regs, and
result for get-feature, rescap for identify-ns) likewise.

    resv_client.py ADDR SVC SUBNQN fence ...   (see fence())
    resv_client.py nvme-report-check EXPR < nvme-cli JSON  (see there)
"""
import json
import os
import struct
import sys
import time
import mmap
import hashlib

import nvme_tcp as tc

# I/O command opcodes (NVM command set) and reservation commands
OP_FLUSH, OP_WRITE, OP_READ, OP_WRITE_ZEROES, OP_DSM = 0x00, 0x01, 0x02, 0x08, 0x09
OP_RESV_REGISTER, OP_RESV_REPORT, OP_RESV_ACQUIRE, OP_RESV_RELEASE = 0x0D, 0x0E, 0x11, 0x15
# admin opcodes
OP_GET_LOG, OP_IDENTIFY, OP_SET_FEAT, OP_GET_FEAT, OP_AER, OP_KEEP_ALIVE = \
    0x02, 0x06, 0x09, 0x0A, 0x0C, 0x18
LID_RESV = 0x80
FID_RESV_MASK, FID_RESV_PERSIST = 0x82, 0x83

# status field values (completion DW3 bits 31:17): SC | SCT << 8 | More | DNR
DNR, MORE = 0x4000, 0x2000
OK = 0x0000
INVALID_FIELD = 0x4002              # Invalid Field in Command, DNR
HOSTID_FORMAT = 0x4018              # Host Identifier Inconsistent Format, DNR
CONFLICT = 0x4083                   # Reservation Conflict, DNR
STATUS_NAMES = {"ok": OK, "invalid": INVALID_FIELD, "hostid-format": HOSTID_FORMAT,
                "conflict": CONFLICT}

# Reservation types (RTYPE) and actions
WE, EA, WERO, EARO, WEAR, EAAR = 1, 2, 3, 4, 5, 6
TYPE_NAMES = {WE: "Write Exclusive", EA: "Exclusive Access",
              WERO: "Write Exclusive - Registrants Only",
              EARO: "Exclusive Access - Registrants Only",
              WEAR: "Write Exclusive - All Registrants",
              EAAR: "Exclusive Access - All Registrants"}
REG_REGISTER, REG_UNREGISTER, REG_REPLACE = 0, 1, 2
ACQ_ACQUIRE, ACQ_PREEMPT, ACQ_PREEMPT_ABORT = 0, 1, 2
REL_RELEASE, REL_CLEAR = 0, 1
# Reservation Notification log page types
LOG_EMPTY, LOG_REG_PREEMPTED, LOG_RESV_RELEASED, LOG_RESV_PREEMPTED = 0, 1, 2, 3
# Asynchronous event: type 6h (I/O command specific), information 0h
# (Reservation Log Page Available), log page 80h
AEN_RESV = 0x6 | (0x00 << 8) | (LID_RESV << 16)
# Feature 82h mask bits: REGPRE, RESREL, RESPRE
MASK_REGPRE, MASK_RESREL, MASK_RESPRE = 1 << 1, 1 << 2, 1 << 3

# Fixed host identities: NQN and 128-bit host ID (distinct from the guest's
# /etc/nvme ones, which the kernel host uses).
HOSTS = {}
for _i, _n in enumerate("ABCDPQ"):
    _u = "5e5e0000-0000-4000-8000-0000000000%02x" % (0xa0 + _i)
    HOSTS[_n] = ("nqn.2014-08.org.nvmexpress:uuid:" + _u, bytes.fromhex(_u.replace("-", "")))


def host_identity(spec):
    if spec in HOSTS:
        return HOSTS[spec]
    nqn, hid = spec.split(",", 1)
    return nqn, bytes.fromhex(hid.replace("-", ""))


def _guest_hostid():
    """The guest's own host ID (/etc/nvme/hostid), which the kernel host uses."""
    try:
        return bytes.fromhex(open("/etc/nvme/hostid").read().strip().replace("-", ""))
    except (OSError, ValueError):
        return None


def host_name(hostid):
    """A, B, ... for the fixed identities, K for the kernel host, else hex."""
    for n, (_, hid) in HOSTS.items():
        if hid == hostid:
            return n
    if hostid == _guest_hostid():
        return "K"
    return hostid.hex()


def st_word(st):
    return "0x%04x" % (st & 0xFFFF) if isinstance(st, int) else str(st)


def same_status(st, want):
    return isinstance(st, int) and (st & ~MORE) == want


ALL = []


class Ctrl:
    """One controller of host NAME: admin queue A, I/O queue Q (QID 1)."""

    def __init__(self, addr, svc, subnqn, name, kato=30000):
        self.name = name
        nqn, hid = host_identity(name)
        t = tc.Target(addr, int(svc), subnqn, nqn)
        t.hostid = hid
        self.hostid = hid
        self.a, self.q, self.lba = t.io_ready(kato=kato)
        self.cntlid = self.a.cntlid
        self.aer_cids = set()
        self.aens = []
        self.last_admin = time.monotonic()
        ALL.append(self)

    def close(self):
        for c in (self.q, self.a):
            c.close()
        if self in ALL:
            ALL.remove(self)

    # ------------------------------------------------------------ plumbing

    def _run(self, conn, cmd, data=b"", timeout=tc.TIMEOUT):
        """Sends CMD (64-byte SQE, CID in bytes 2-3) with in-capsule DATA;
        returns (status or event kind, result, data). AER completions that
        arrive meanwhile are kept in self.aens."""
        cid = struct.unpack_from("<H", cmd, 2)[0]
        conn.data = bytearray()
        ev = conn.send(tc.capsule(cmd, data))
        if ev is not None:
            return ev[0], 0, b""
        while True:
            ev = conn.wait(timeout, keep_data=True)
            if ev[0] != "response":
                return ev[0], 0, b""
            if ev.cid == cid:
                return ev.status, ev.result, bytes(conn.data)
            if conn is self.a and ev.cid in self.aer_cids:
                self.aer_cids.discard(ev.cid)
                self.aens.append((ev.status, ev.result & 0xFFFFFFFF))
                continue
            return "stray completion cid %d" % ev.cid, 0, b""

    def tick(self):
        """Keep Alive on every controller idle for more than 4 s."""
        now = time.monotonic()
        for c in list(ALL):
            if now - c.last_admin > 4:
                c.last_admin = now
                c._run(c.a, tc.sqe(OP_KEEP_ALIVE, c.a.next_cid(), tc.sgl(0, tc.SGL_TRANSPORT)))

    def admin(self, opcode, nsid=0, tail=b"", length=0, data=b""):
        self.tick()
        self.last_admin = time.monotonic()
        stype = tc.SGL_INCAPSULE if data else tc.SGL_TRANSPORT
        cmd = tc.sqe(opcode, self.a.next_cid(), tc.sgl(len(data) or length, stype),
                     nsid=nsid, tail=tail)
        return self._run(self.a, cmd, data)

    def io(self, opcode, nsid=1, tail=b"", length=0, data=b""):
        self.tick()
        stype = tc.SGL_INCAPSULE if data else tc.SGL_TRANSPORT
        cmd = tc.sqe(opcode, self.q.next_cid(), tc.sgl(len(data) or length, stype),
                     nsid=nsid, tail=tail)
        return self._run(self.q, cmd, data)

    # ------------------------------------------------------------ reservations

    def register(self, rrega, crkey, nrkey, iekey=False, cptpl=0, nsid=1):
        cdw10 = rrega | (int(iekey) << 3) | (cptpl << 30)
        return self.io(OP_RESV_REGISTER, nsid, struct.pack("<I", cdw10),
                       data=struct.pack("<QQ", crkey, nrkey))[0]

    def acquire(self, racqa, rtype, crkey, prkey=0, iekey=False, nsid=1):
        cdw10 = racqa | (int(iekey) << 3) | (rtype << 8)
        return self.io(OP_RESV_ACQUIRE, nsid, struct.pack("<I", cdw10),
                       data=struct.pack("<QQ", crkey, prkey))[0]

    def release(self, rrela, rtype, crkey, nsid=1):
        cdw10 = rrela | (rtype << 8)
        return self.io(OP_RESV_RELEASE, nsid, struct.pack("<I", cdw10),
                       data=struct.pack("<Q", crkey))[0]

    def report(self, eds=True, numd=None, nsid=1):
        """(status, parsed report or None); NUMD in dwords (default 4 KiB)."""
        numd = numd or 1024
        st, _, data = self.io(OP_RESV_REPORT, nsid, struct.pack("<II", numd - 1, int(eds)),
                              length=numd * 4)
        if st != 0:
            return st, None
        return st, parse_report(data, eds)

    # ------------------------------------------------------------ NVM commands

    def read(self, slba=0, nlb=1):
        st, _, data = self.io(OP_READ, 1, struct.pack("<QI", slba, nlb - 1),
                              length=nlb * self.lba)
        return st, data

    def write(self, slba=0, data=None):
        data = data if data is not None else bytes([0x5A]) * self.lba
        nlb = len(data) // self.lba
        return self.io(OP_WRITE, 1, struct.pack("<QI", slba, nlb - 1), data=data)[0]

    def write_zeroes(self, slba=0, nlb=1):
        return self.io(OP_WRITE_ZEROES, 1, struct.pack("<QI", slba, nlb - 1))[0]

    def dsm_deallocate(self, slba=0, nlb=1):
        # NR 0 (one range), AD (bit 2); range: context attributes, length, SLBA
        return self.io(OP_DSM, 1, struct.pack("<II", 0, 1 << 2),
                       data=struct.pack("<IIQ", 0, nlb, slba))[0]

    def flush(self):
        return self.io(OP_FLUSH, 1)[0]

    # ------------------------------------------------------------ admin

    def identify(self, cns, nsid=0):
        st, _, data = self.admin(OP_IDENTIFY, nsid, struct.pack("<I", cns), length=4096)
        return st, data

    def get_feature(self, fid, nsid=1, sel=0):
        st, res, _ = self.admin(OP_GET_FEAT, nsid, struct.pack("<I", fid | (sel << 8)))
        return st, res & 0xFFFFFFFF

    def set_feature(self, fid, value, nsid=1, sv=False):
        st, res, _ = self.admin(OP_SET_FEAT, nsid,
                                struct.pack("<II", fid | (int(sv) << 31), value))
        return st, res & 0xFFFFFFFF

    def resv_log(self):
        """Get Log Page 80h (64 bytes, RAE 0): (status, dict)."""
        numd = 64 // 4
        st, _, data = self.admin(OP_GET_LOG, 0xFFFFFFFF,
                                 struct.pack("<I", LID_RESV | ((numd - 1) << 16)), length=64)
        if st != 0 or len(data) < 16:
            return st, None
        count, ltype, navail, nsid = struct.unpack_from("<QBBxxI", data, 0)
        return st, dict(count=count, type=ltype, navail=navail, nsid=nsid)

    def post_aer(self):
        cid = self.a.next_cid()
        self.aer_cids.add(cid)
        self.a.send(tc.capsule(tc.sqe(OP_AER, cid, tc.sgl(0, tc.SGL_TRANSPORT))))

    def wait_aen(self, timeout=5.0):
        """The next AER completion (status, result) within TIMEOUT, or None."""
        deadline = time.monotonic() + timeout
        while not self.aens:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.a.data = bytearray()
            ev = self.a.wait(min(left, 1.0))
            if ev[0] == "response" and ev.cid in self.aer_cids:
                self.aer_cids.discard(ev.cid)
                self.aens.append((ev.status, ev.result & 0xFFFFFFFF))
            elif ev[0] not in ("timeout",):
                return ev[0], 0
            self.tick()
        return self.aens.pop(0)

    def drain(self):
        """Consumes every pending notification: AENs (one AER outstanding
        afterwards) and log page 80h entries. Returns how many entries."""
        if not self.aer_cids:
            self.post_aer()
        while self.wait_aen(0.7) is not None:
            self.post_aer()
        n = 0
        for _ in range(80):
            st, log = self.resv_log()
            if st != 0 or log is None or log["type"] == LOG_EMPTY:
                break
            n += 1
        while self.wait_aen(0.3) is not None:
            self.post_aer()
        return n


def parse_report(data, eds):
    if len(data) < 24:
        return None
    gen, rtype, regctl, ptpls = struct.unpack_from("<IBHxxB", data, 0)
    regs = []
    if eds:
        off, size = 64, 64
    else:
        off, size = 24, 24
    for i in range(regctl):
        o = off + i * size
        if o + size > len(data):
            break
        if eds:
            cntlid, rcsts = struct.unpack_from("<HB", data, o)
            rkey = struct.unpack_from("<Q", data, o + 8)[0]
            hid = bytes(data[o + 16:o + 32])
        else:
            cntlid, rcsts = struct.unpack_from("<HB", data, o)
            hid = bytes(data[o + 8:o + 16])
            rkey = struct.unpack_from("<Q", data, o + 16)[0]
        regs.append(dict(cntlid=cntlid, rcsts=rcsts, rkey=rkey, hostid=hid.hex(),
                         host=host_name(hid)))
    return dict(gen=gen, rtype=rtype, regctl=regctl, ptpls=ptpls, regs=regs,
                keys={r["host"]: r["rkey"] for r in regs},
                holders=sorted(r["host"] for r in regs if r["rcsts"] & 1),
                nbytes=len(data))


def report_json(rep):
    if rep is None:
        return "null"
    r = dict(rep)
    r["keys"] = {k: "0x%x" % v for k, v in rep["keys"].items()}
    r["regs"] = [dict(x, rkey="0x%x" % x["rkey"]) for x in rep["regs"]]
    return json.dumps(r, sort_keys=True)

# ---------------------------------------------------------------- backing store


def region_digest(path, nbytes):
    """SHA-256 of the first NBYTES of PATH read with O_DIRECT (the target's
    backing device: what landed, bypassing every cache)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECT)
    try:
        buf = mmap.mmap(-1, 1 << 20)
        h = hashlib.sha256()
        done = 0
        while done < nbytes:
            n = os.preadv(fd, [buf], done)
            if n <= 0:
                break
            h.update(buf[:min(n, nbytes - done)])
            done += n
        return h.hexdigest()
    finally:
        os.close(fd)

# ---------------------------------------------------------------- command line


def num(s):
    return int(s, 0)


def op_main(addr, svc, subnqn, argv):
    import argparse
    p = argparse.ArgumentParser(prog="resv_client.py ... op")
    p.add_argument("host")
    p.add_argument("action")
    p.add_argument("args", nargs="*")
    p.add_argument("--iekey", action="store_true")
    p.add_argument("--cptpl", type=num, default=0)
    p.add_argument("--eds", type=num, default=1)
    p.add_argument("--numd", type=num, default=None)
    p.add_argument("--nsid", type=num, default=1)
    p.add_argument("--sv", action="store_true")
    p.add_argument("--expect", default=None)
    p.add_argument("--check", default=None)
    o = p.parse_args(argv)
    try:
        c = Ctrl(addr, svc, subnqn, o.host)
    except tc.Answer as e:
        print("connect failed: %s" % e)
        return 2
    a = [num(x) for x in o.args]
    env = {}
    rep = None
    if o.action == "register":
        st = c.register(a[0], a[1], a[2], iekey=o.iekey, cptpl=o.cptpl, nsid=o.nsid)
    elif o.action == "acquire":
        st = c.acquire(a[0], a[1], a[2], a[3] if len(a) > 3 else 0, iekey=o.iekey, nsid=o.nsid)
    elif o.action == "release":
        st = c.release(a[0], a[1], a[2], nsid=o.nsid)
    elif o.action == "report":
        st, rep = c.report(eds=bool(o.eds), numd=o.numd, nsid=o.nsid)
    elif o.action == "read":
        st, _ = c.read(a[0] if a else 0)
    elif o.action == "write":
        st = c.write(a[0] if a else 0)
    elif o.action == "write-zeroes":
        st = c.write_zeroes(a[0] if a else 0)
    elif o.action == "dsm":
        st = c.dsm_deallocate(a[0] if a else 0)
    elif o.action == "flush":
        st = c.flush()
    elif o.action == "get-feature":
        st, res = c.get_feature(a[0], nsid=o.nsid)
        env["result"] = res
        print("result 0x%x" % res)
    elif o.action == "set-feature":
        st, res = c.set_feature(a[0], a[1], nsid=o.nsid, sv=o.sv)
        env["result"] = res
    elif o.action == "identify-ns":
        st, data = c.identify(0, nsid=o.nsid)
        env["rescap"] = data[31] if len(data) > 31 else None
        print("rescap 0x%02x" % (env["rescap"] or 0))
    else:
        print("unknown action %s" % o.action)
        return 2
    print("status %s" % st_word(st))
    if rep is not None:
        print(report_json(rep))
        env.update(rep)
    c.close()
    rc = 0
    if o.expect is not None:
        want = STATUS_NAMES.get(o.expect)
        want = num(o.expect) if want is None else want
        if not same_status(st, want):
            print("expected status 0x%04x" % want)
            rc = 1
    if o.check is not None:
        env["WE"], env["EA"], env["WERO"], env["EARO"], env["WEAR"], env["EAAR"] = range(1, 7)
        try:
            ok = eval(o.check, {}, env)      # noqa: S307 (test expressions)
        except Exception as e:             # a field the answer lacks
            print("check %r: %s" % (o.check, e))
            ok = False
        if not ok:
            print("check failed: %s" % o.check)
            rc = 1
    return rc


def fence(addr, svc, subnqn, argv):
    """Fences a host that writes: HOST registers KEY, preempts (RACQA 1) or
    preempts and aborts (RACQA 2) the registrant of VICTIM-KEY into a Write
    Exclusive reservation of its own, and reads the first MB MiB of the
    backing device BACKING (O_DIRECT) at once after the completion (after
    SETTLE seconds for a plain preempt, which need not wait for the victim's
    commands in flight), then 3 s later: unchanged means no write of the
    victim landed after the fence. Prints ok/FAIL lines.

        fence HOST KEY VICTIM-KEY RACQA BACKING MB [SETTLE]"""
    name, key, vkey, racqa, backing, mb = argv[0], num(argv[1]), num(argv[2]), \
        num(argv[3]), argv[4], num(argv[5])
    settle = float(argv[6]) if len(argv) > 6 else 0.0
    failed = 0

    def step(ok, what, detail=""):
        nonlocal failed
        failed += not ok
        print("%-4s %s%s" % ("ok" if ok else "FAIL", what, "  (" + detail + ")" if detail else ""))
        sys.stdout.flush()

    c = Ctrl(addr, svc, subnqn, name)
    st = c.register(REG_REGISTER, 0, key)
    step(st == 0, "fencing host %s registers" % name, st_word(st))
    t0 = time.monotonic()
    st = c.acquire(racqa, WE, key, vkey)
    t1 = time.monotonic()
    what = "preempt and abort" if racqa == ACQ_PREEMPT_ABORT else "preempt"
    step(st == 0, "%s of the writing host's registration completes" % what,
         "%s in %.2fs" % (st_word(st), t1 - t0))
    if settle:
        time.sleep(settle)
    h0 = region_digest(backing, mb << 20)
    time.sleep(3)
    h1 = region_digest(backing, mb << 20)
    step(h0 == h1, "the region the fenced host wrote does not change after the %s%s"
         % (what, " (and %gs)" % settle if settle else " completed"),
         "%s / %s" % (h0[:16], h1[:16]))
    st, rep = c.report()
    step(st == 0 and rep and rep["rtype"] == WE and rep["holders"] == [name] and
         vkey not in rep["keys"].values(),
         "report: %s holds Write Exclusive, the victim's key is gone" % name,
         report_json(rep))
    c.close()
    print("# %d failed" % failed)
    return 1 if failed else 0


def nvme_report_check(argv):
    """nvme-cli's `resv-report --eds -o json` on stdin, checked with the
    expression ARGV[0] over gen, rtype, regctl, ptpls, keys {host: rkey},
    holders [host] and cntlids; hosts are named as in HOSTS, the guest's
    own host ID (/etc/nvme/hostid: the kernel host) is K."""
    raw = sys.stdin.read()
    print(raw.strip())
    try:
        r = json.loads(raw)
    except ValueError as e:
        print("not JSON: %s" % e)
        return 1
    names = {hid.hex(): n for n, (_, hid) in HOSTS.items()}
    if _guest_hostid():
        names[_guest_hostid().hex()] = "K"
    regs = r.get("regctlext") or []
    keys, holders, cntlids = {}, [], []
    for e in regs:
        hid = str(e.get("hostid", e.get("Host ID", ""))).lower()
        n = names.get(hid, hid)
        keys[n] = int(str(e.get("rkey", 0)), 0)
        cntlids.append(int(str(e.get("cntlid", -1)), 0))
        if int(str(e.get("rcsts", 0)), 0) & 1:
            holders.append(n)
    env = dict(gen=int(str(r.get("gen", -1)), 0), rtype=int(str(r.get("rtype", -1)), 0),
               regctl=int(str(r.get("regctl", -1)), 0), ptpls=int(str(r.get("ptpls", -1)), 0),
               keys=keys, holders=sorted(holders), cntlids=cntlids)
    print("parsed: %r" % env)
    if not eval(argv[0], {}, env):      # noqa: S307 (test expressions)
        print("check failed: %s" % argv[0])
        return 1
    return 0


def main(argv):
    if len(argv) >= 2 and argv[1] == "nvme-report-check":
        return nvme_report_check(argv[2:])
    if len(argv) < 5:
        print(__doc__)
        return 2
    addr, svc, subnqn, what = argv[1:5]
    if what == "op":
        return op_main(addr, svc, subnqn, argv[5:])
    if what == "fence":
        return fence(addr, svc, subnqn, argv[5:])
    print("unknown command %s" % what)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
