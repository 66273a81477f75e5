#!/usr/bin/env python3
"""A live host that never sends the data of a write, over raw NVMe/TCP.

    r2t_stall.py ADDRESS PORT SUBNQN HOSTNQN SECONDS

Connects an admin queue and I/O queue 1, sends a 32 KiB Write to namespace 1
by transport SGL, and when the target answers with an R2T, sends no data.
It prints "stalled" once the R2T is in, then keeps its controller alive
(Keep Alive every second on the admin queue) and watches the I/O queue for
SECONDS. The target holds that write, and with it a reference to namespace
1, for as long as the connection lives.

Lines "ok"/"FAIL" per step; exit status 1 when a step failed:
  - the Write gets an R2T;
  - the I/O connection is closed by the target (or a C2HTermReq arrives)
    within SECONDS, and never is the write completed;
  - the admin queue answers every Keep Alive meanwhile and afterwards (the
    controller outlives its I/O queue).
"""
import struct
import sys
import time

import nvme_tcp as tc

AT = 192 << 20          # byte offset written (namespace 1 >= 256 MiB)
LEN = 32768
OPC_KEEP_ALIVE = 0x18

failed = 0


def step(ok, what, detail=""):
    global failed
    failed += not ok
    print("%-4s %s%s" % ("ok" if ok else "FAIL", what, "  (" + detail + ")" if detail else ""))
    sys.stdout.flush()


def keep_alive(a):
    ev = a.send_wait(tc.capsule(tc.sqe(OPC_KEEP_ALIVE, a.next_cid(), tc.sgl(0, tc.SGL_TRANSPORT))))
    return ev[0] == "response" and ev[1] & 0x7FF == 0, ev


def main(argv):
    if len(argv) != 6:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    t = tc.Target(argv[1], int(argv[2]), argv[3], argv[4])
    secs = float(argv[5])
    a, q, lba = t.io_ready()
    wcid = q.next_cid()
    ev = q.send_wait(tc.capsule(tc.write_sqe(wcid, AT // lba, LEN // lba, LEN)))
    step(ev[0] == "r2t" and ev[4] == wcid, "the Write gets an R2T", tc.describe(ev))
    if ev[0] != "r2t":
        return 1
    print("stalled")
    sys.stdout.flush()

    start = time.monotonic()
    end = None
    ka_ok = True
    while time.monotonic() - start < secs:
        ok, kev = keep_alive(a)
        if not ok:
            ka_ok = False
            step(False, "Keep Alive answered while the I/O queue stalls", tc.describe(kev))
            break
        ev = q.wait(timeout=1.0)
        if ev[0] != "timeout":
            end = ev
            break
    took = time.monotonic() - start
    step(end is not None and end[0] in ("closed", "termreq"),
         "the target closes the stalled I/O queue",
         "%s after %.1fs" % (tc.describe(end) if end else "still open", took))
    if ka_ok:
        ok, kev = keep_alive(a)
        step(ok, "the admin queue still answers Keep Alive", tc.describe(kev))
    q.close()
    a.close()
    print("# %d failed, %.1fs" % (failed, took))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except tc.Answer as e:
        print("FAIL setup: the target answered %s" % e)
        sys.exit(1)
