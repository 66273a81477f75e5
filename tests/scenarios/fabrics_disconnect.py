#!/usr/bin/env python3
"""The Fabrics Disconnect command (NVMe Base 2.x), spoken over raw NVMe/TCP.

    fabrics_disconnect.py ADDRESS PORT SUBNQN HOSTNQN

The Linux host never sends Disconnect (it closes the connection instead), so
this client does. Namespace 1 must be at least 256 MiB. One line per step,
"ok" or "FAIL"; exit status 1 when any step failed. Steps:

  - Identify Controller: OFCS bit 0 (Disconnect supported) is set;
  - Disconnect on the admin queue: Invalid Queue Type (185h), DNR; the admin
    queue keeps working;
  - Disconnect with a record format other than 0: Incompatible Format (180h);
    the I/O queue keeps working;
  - a write whose data came by R2T/H2CData, then Disconnect sent before the
    write's completion arrived: the write completes first, then the
    Disconnect, then the target closes the connection;
  - the admin queue still works and CSTS shows no fatal error;
  - a new connection takes I/O queue 1 again (the QID is free) and reads
    back what the write stored;
  - a command after Disconnect is a PDU sequence error: C2HTermReq, or the
    connection closes (never a completion of it).
"""
import struct
import sys
import time

import nvme_tcp as tc

FCTYPE_DISCONNECT = 0x08
SC_INVALID_QTYPE = 0x185
SC_INCOMPATIBLE_FORMAT = 0x180
DNR = 0x4000
AT = 200 << 20          # byte offset of the data written (namespace >= 256 MiB)
LEN = 32768

failed = 0


def step(ok, what, detail=""):
    global failed
    failed += not ok
    print("%-4s %s%s" % ("ok" if ok else "FAIL", what, "  (" + detail + ")" if detail else ""))
    sys.stdout.flush()


def disconnect_sqe(cid, recfmt=0):
    return tc.sqe(0x7F, cid, tc.sgl(0, tc.SGL_TRANSPORT), fctype=FCTYPE_DISCONNECT,
                  tail=struct.pack("<H", recfmt))


def read_sqe(cid, slba, nlb, length):
    return tc.sqe(0x02, cid, tc.sgl(length, tc.SGL_TRANSPORT), nsid=1,
                  tail=struct.pack("<QI", slba, nlb - 1))


MORE = 0x2000           # more in the Error Information log: not compared


def status_is(ev, status):
    return ev[0] == "response" and ev[1] & ~MORE == status


def answer_r2ts(t, q, cid, ev, data):
    """Answers R2Ts for the write CID until the target stops asking."""
    while ev[0] == "r2t":
        ttag, off, length = ev[1], ev[2], ev[3]
        step_len = t.maxh2c or length
        pdus = b""
        for o in range(off, off + length, step_len):
            n = min(step_len, off + length - o)
            pdus += tc.h2c_data(cid, ttag, o, n, data[o:o + n],
                                flags=tc.F_LAST if o + n == off + length else 0)
        if off + length == len(data):
            return pdus         # the last data: the caller sends it
        ev = q.send_wait(pdus)
    raise tc.Answer(ev)


def main(argv):
    if len(argv) != 5:
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    t = tc.Target(argv[1], int(argv[2]), argv[3], argv[4])
    a, q, lba = t.io_ready()

    # Identify Controller (CNS 1) on the admin queue: OFCS is bytes 1804-1805.
    ev = a.send_wait(tc.capsule(tc.identify_sqe(a.next_cid(), cns=1)))
    idc = bytes(a.data)
    ofcs = struct.unpack_from("<H", idc, 1804)[0] if len(idc) >= 4096 else None
    step(status_is(ev, 0) and ofcs is not None and ofcs & 1,
         "Identify Controller reports Disconnect (OFCS bit 0)", "OFCS %r" % ofcs)

    ev = a.send_wait(tc.capsule(disconnect_sqe(a.next_cid())))
    step(status_is(ev, SC_INVALID_QTYPE | DNR),
         "Disconnect on the admin queue: Invalid Queue Type, DNR", tc.describe(ev))
    ev = a.send_wait(tc.capsule(tc.prop_get_sqe(a.next_cid(), 0x1C, False)))
    step(status_is(ev, 0) and ev[2] & 1, "the admin queue still works (CSTS.RDY)",
         tc.describe(ev))

    ev = q.send_wait(tc.capsule(disconnect_sqe(q.next_cid(), recfmt=1)))
    step(status_is(ev, SC_INCOMPATIBLE_FORMAT | DNR),
         "Disconnect with record format 1: Incompatible Format, DNR", tc.describe(ev))

    # A write by R2T; its last H2CData and the Disconnect go out together.
    data = bytes((i * 7 + 3) & 0xFF for i in range(LEN))
    wcid = q.next_cid()
    ev = q.send_wait(tc.capsule(tc.write_sqe(wcid, AT // lba, LEN // lba, LEN)))
    last = answer_r2ts(t, q, wcid, ev, data)
    dcid = q.next_cid()
    q.send(last + tc.capsule(disconnect_sqe(dcid)))
    first = q.wait()
    second = q.wait()
    step(first[0] == "response" and first[1] == 0 and first[3] == wcid,
         "the write before Disconnect completes first, successfully", tc.describe(first))
    step(second[0] == "response" and second[1] == 0 and second[3] == dcid,
         "then Disconnect completes successfully", tc.describe(second))
    end = q.wait()
    step(end[0] == "closed", "then the target closes the I/O connection", tc.describe(end))
    q.close()

    ev = a.send_wait(tc.capsule(tc.prop_get_sqe(a.next_cid(), 0x1C, False)))
    step(status_is(ev, 0) and ev[2] & 1 and not ev[2] & 2,
         "the admin queue still works, CSTS.RDY without CFS", tc.describe(ev))

    # The QID is free again: a new connection takes it and reads the data back.
    q2 = t.conn()
    try:
        t.icreq(q2)
        ev = q2.send_wait(tc.capsule(tc.connect_sqe(q2.next_cid(), qid=1),
                                     t.cdata(cntlid=a.cntlid)))
        step(status_is(ev, 0), "Connect of I/O queue 1 again on a new connection",
             tc.describe(ev))
        ev = q2.send_wait(tc.capsule(read_sqe(q2.next_cid(), AT // lba, LEN // lba, LEN)))
        step(status_is(ev, 0) and bytes(q2.data) == data,
             "the data written before Disconnect reads back", "%s, %d bytes" %
             (tc.describe(ev), len(q2.data)))

        # Disconnect followed at once by another command: a PDU sequence error
        # unless the target closed first; the Flush never completes.
        dcid = q2.next_cid()
        fcid = q2.next_cid()
        flush = tc.sqe(0x00, fcid, tc.sgl(0, tc.SGL_TRANSPORT), nsid=1)
        q2.send(tc.capsule(disconnect_sqe(dcid)) + tc.capsule(flush))
        events = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ev = q2.wait()
            events.append(ev)
            if ev[0] != "response":
                break
        flushed = any(e[0] == "response" and e[3] == fcid for e in events)
        step(not flushed and events[-1][0] in ("termreq", "closed"),
             "a command after Disconnect gets a C2HTermReq or the connection closes",
             "; ".join(tc.describe(e) for e in events))
    finally:
        q2.close()

    ev = a.send_wait(tc.capsule(tc.prop_get_sqe(a.next_cid(), 0x1C, False)))
    step(status_is(ev, 0) and ev[2] & 1 and not ev[2] & 2,
         "the admin queue is unaffected by the I/O queue's errors", tc.describe(ev))
    a.close()
    print("# %d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except tc.Answer as e:
        print("FAIL setup: the target answered %s" % e)
        sys.exit(1)
