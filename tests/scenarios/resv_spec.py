#!/usr/bin/env python3
"""NVMe reservations, checked against the NVM Express Base Specification 2.x
(Reservations) over raw NVMe/TCP with resv_client.py.

    resv_spec.py ADDR SVC SUBNQN [--ours]

Namespace 1 has reservations (resv_enable), namespace 2 not. Hosts: A with
two controllers (A1, A2: one host NQN and host ID), B and C (one
controller each). One line per step, "ok" or "FAIL"; "info" lines record
what the in-tree target does where it departs from the specification
(without --ours); with --ours those steps are asserted. Exit status 1 when
a step failed.

What is checked (specification behaviour):
  - Identify Controller ONCS bit 5; Identify Namespace RESCAP FEh on a
    namespace with reservations (six types, IEKEY 1.3, no PTPL), 0 without;
  - Register: a new key; a second Register of another key by the same host
    (through its other controller) Reservation Conflict, of the same key
    success; Replace with CRKEY, without the right CRKEY Conflict, with
    IEKEY whatever CRKEY; Unregister (wrong CRKEY Conflict, IEKEY, a host
    not registered Conflict); registrations belong to the host ID: both
    controllers of A see and use one registration;
  - Acquire (non-registrant or wrong CRKEY: Conflict; a holder again with
    its type: success, another type: Conflict; another host: Conflict,
    except a registrant of an all-registrants reservation, which holds it);
  - for each of the six types and for the holder (both of its host's
    controllers), a registrant and a non-registrant: Read, Write, Write
    Zeroes, Dataset Management (deallocate) and Flush succeed or fail with
    Reservation Conflict as the specification's table says;
  - Release (a registrant that does not hold it: success, no effect; the
    holder with another type: Invalid Field in Command), Clear;
    unregistering the holder (released; all-registrants: kept by the
    others until the last one goes);
  - Preempt (holder's key: new holder and type, holder's registration
    removed; a non-holder's key: that registration removed; PRKEY 0 with a
    single holder: Invalid Field; PRKEY 0 under an all-registrants
    reservation: every other registrant removed), Preempt and Abort;
  - Report: extended data structure (GEN, RTYPE, REGCTL, PTPLS, per
    registrant CNTLID FFFFh, RCSTS holder bit, RKEY, 128-bit host ID);
    the non-extended structure with 128-bit host IDs: Host Identifier
    Inconsistent Format; a short buffer still counts every registrant; GEN
    counts successful Register, Preempt, Preempt and Abort and Clear only;
  - notifications: Registration Preempted, Reservation Released, Reservation
    Preempted reach every controller of the affected host (AEN 0x800006,
    log page 80h: count, type, NSID 1), not the host that caused them;
    Feature 82h masks them (Get Features returns the mask); Feature 83h
    (Reservation Persistence) reads PTPL 0.
"""
import struct
import sys
import time

import nvme_tcp as tc
import resv_client as rc
from resv_client import (WE, EA, WERO, EARO, WEAR, EAAR, OK, CONFLICT, INVALID_FIELD,
                         HOSTID_FORMAT, REG_REGISTER, REG_UNREGISTER, REG_REPLACE,
                         ACQ_ACQUIRE, ACQ_PREEMPT, ACQ_PREEMPT_ABORT, REL_RELEASE,
                         REL_CLEAR, LOG_EMPTY, LOG_REG_PREEMPTED, LOG_RESV_RELEASED,
                         LOG_RESV_PREEMPTED, AEN_RESV, st_word, same_status, report_json)

KA, KA2, KA3, KB, KC = 0xA1A1A1A1A1A1A101, 0xA2A2, 0xA3A3, 0xB1B1B1B1B1B1B101, 0xC1C1
failed = 0
ours = False


def step(ok, what, detail=""):
    global failed
    failed += not ok
    print("%-4s %s%s" % ("ok" if ok else "FAIL", what, "  (" + detail + ")" if detail else ""))
    sys.stdout.flush()


def deviation(ok, what, detail):
    """A step where the in-tree target departs from the specification:
    asserted on ours, recorded (info) on the in-tree target."""
    if ours:
        step(ok, what, detail)
    else:
        print("info %s: %s  (%s)" % ("as specified" if ok else "in-tree departs", what, detail))
        sys.stdout.flush()


def expect(st, want, what):
    step(same_status(st, want), "%s: %s" % (what, st_word(want)), "got %s" % st_word(st))


class Gen:
    """The generation the specification predicts."""
    value = None


def report_is(c, what, rtype=None, keys=None, holders=None, gen_delta=None, ptpls=0):
    """Reservation Report (extended) from controller C matches."""
    st, rep = c.report()
    ok = st == 0 and rep is not None
    why = []
    if ok:
        if rtype is not None and rep["rtype"] != rtype:
            why.append("rtype %d, want %d" % (rep["rtype"], rtype))
        if keys is not None and rep["keys"] != keys:
            why.append("keys %s, want %s" % (
                {k: hex(v) for k, v in rep["keys"].items()}, {k: hex(v) for k, v in keys.items()}))
        if keys is not None and rep["regctl"] != len(keys):
            why.append("regctl %d" % rep["regctl"])
        if holders is not None and rep["holders"] != sorted(holders):
            why.append("holders %s, want %s" % (rep["holders"], sorted(holders)))
        if rep["ptpls"] != ptpls:
            why.append("ptpls %d" % rep["ptpls"])
        if any(r["cntlid"] != 0xFFFF for r in rep["regs"]):
            why.append("CNTLID not FFFFh (dynamic controllers)")
        if gen_delta is not None and Gen.value is not None:
            want = (Gen.value + gen_delta) & 0xFFFFFFFF
            if rep["gen"] != want:
                why.append("gen %d, want %d (+%d)" % (rep["gen"], want, gen_delta))
        Gen.value = rep["gen"]
    step(ok and not why, "report: " + what,
         st_word(st) + ("; " + "; ".join(why) if why else "") +
         ("" if ok and not why else "; " + report_json(rep)))
    return rep


# the specification's table: (holder, registrant, non-registrant) x (read, write)
ACCESS = {
    WE: ((1, 1), (1, 0), (1, 0)),
    EA: ((1, 1), (0, 0), (0, 0)),
    WERO: ((1, 1), (1, 1), (1, 0)),
    EARO: ((1, 1), (1, 1), (0, 0)),
    WEAR: ((1, 1), (1, 1), (1, 0)),
    EAAR: ((1, 1), (1, 1), (0, 0)),
}


def access_matrix(rtype, roles):
    """ROLES: [(ctrl, role index, label)]. Read is the read command group;
    Write, Write Zeroes, Dataset Management and Flush the write group."""
    for c, role, label in roles:
        r_ok, w_ok = ACCESS[rtype][role]
        res = {}
        st, _ = c.read(8)
        res["read"] = (st, r_ok)
        res["write"] = (c.write(8), w_ok)
        res["write-zeroes"] = (c.write_zeroes(9), w_ok)
        res["dsm"] = (c.dsm_deallocate(10), w_ok)
        res["flush"] = (c.flush(), w_ok)
        bad = ["%s %s (want %s)" % (k, st_word(s), "ok" if w else "conflict")
               for k, (s, w) in res.items() if not same_status(s, OK if w else CONFLICT)]
        step(not bad, "%s: %s: read %s, write group %s" % (
            rc.TYPE_NAMES[rtype], label, "allowed" if r_ok else "Reservation Conflict",
            "allowed" if w_ok else "Reservation Conflict"), "; ".join(bad))


def notice(c, ltype, what):
    """C gets the reservation AEN and then the log page entry LTYPE, NSID 1."""
    aen = c.wait_aen(5.0)
    got_aen = aen is not None and aen[0] == 0 and aen[1] == AEN_RESV
    if aen is not None and aen[0] == 0:
        c.post_aer()
    st, log = c.resv_log()
    ok = got_aen and st == 0 and log and log["type"] == ltype and log["nsid"] == 1 and \
        log["count"] != 0
    step(ok, "%s (%s): AEN 0x%06x and log 80h type %d, NSID 1" % (what, c.name, AEN_RESV, ltype),
         "aen %s, log %s %s" % (None if aen is None else "%s 0x%x" % (st_word(aen[0]), aen[1]),
                               st_word(st), log))
    # nothing more queued for this event
    if ok and log["navail"]:
        step(False, "%s (%s): one entry" % (what, c.name), "%d more available" % log["navail"])
    return log


def no_notice(c, what):
    aen = c.wait_aen(1.0)
    if aen is not None and aen[0] == 0:
        c.post_aer()
    st, log = c.resv_log()
    ok = aen is None and st == 0 and log is not None and log["type"] == LOG_EMPTY
    step(ok, "%s (%s): no AEN, log 80h empty" % (what, c.name),
         "aen %s, log %s %s" % (aen and "0x%x" % aen[1], st_word(st), log))


def main(argv):
    global ours
    ours = "--ours" in argv
    args = [a for a in argv[1:] if not a.startswith("--")]
    addr, svc, nqn = args[0], args[1], args[2]
    A1 = rc.Ctrl(addr, svc, nqn, "A")
    A1.name = "A1"
    A2 = rc.Ctrl(addr, svc, nqn, "A")
    A2.name = "A2"
    B = rc.Ctrl(addr, svc, nqn, "B")
    C = rc.Ctrl(addr, svc, nqn, "C")
    step(A1.cntlid != A2.cntlid, "host A has two controllers",
         "cntlid %d and %d" % (A1.cntlid, A2.cntlid))

    # ---------------------------------------------------------------- identify
    st, idc = A1.identify(1)
    oncs = struct.unpack_from("<H", idc, 520)[0] if len(idc) >= 4096 else None
    step(st == 0 and oncs is not None and oncs & (1 << 5),
         "Identify Controller: ONCS bit 5 (reservations)", "oncs %r" % oncs)
    st, idn = A1.identify(0, nsid=1)
    step(st == 0 and len(idn) >= 4096 and idn[31] == 0xFE,
         "Identify Namespace 1: RESCAP FEh (six types, IEKEY 1.3, no PTPL)",
         "rescap 0x%02x" % (idn[31] if len(idn) > 31 else -1))
    st, idn = A1.identify(0, nsid=2)
    step(st == 0 and len(idn) >= 4096 and idn[31] == 0,
         "Identify Namespace 2 (no resv_enable): RESCAP 0",
         "rescap 0x%02x" % (idn[31] if len(idn) > 31 else -1))
    st, rep = A1.report(nsid=2)
    step(st != 0, "Reservation Report on namespace 2 (no reservations) fails", st_word(st))

    # ---------------------------------------------------------------- register
    report_is(A1, "no registrant, no reservation", rtype=0, keys={}, holders=[])
    expect(A1.register(REG_REGISTER, 0, KA), OK, "A1 registers key KA")
    report_is(A2, "A's other controller sees A's registration", rtype=0, keys={"A": KA},
              holders=[], gen_delta=1)
    st, rep = A2.report()
    step(st == 0 and rep and rep["regs"] and
         rep["regs"][0]["hostid"] == rc.HOSTS["A"][1].hex(),
         "report: the registrant's 128-bit host ID is A's", report_json(rep))
    expect(A2.register(REG_REGISTER, 0, KA2), CONFLICT,
           "A2 registers another key (A is registered through A1)")
    expect(A2.register(REG_REGISTER, 0, KA), OK, "A2 registers A's key again")
    report_is(A1, "one registration for host A, generation counts the Register",
              keys={"A": KA}, gen_delta=1)
    expect(A1.register(REG_REPLACE, KA2, KA3), CONFLICT, "A1 replaces with a wrong CRKEY")
    report_is(A1, "key unchanged, generation unchanged", keys={"A": KA}, gen_delta=0)
    expect(A1.register(REG_REPLACE, KA, KA2), OK, "A1 replaces KA with KA2")
    report_is(A2, "A's key is KA2", keys={"A": KA2}, gen_delta=1)
    expect(A2.register(REG_REPLACE, 0x1234, KA3, iekey=True), OK,
           "A2 replaces with IEKEY and a wrong CRKEY")
    report_is(A1, "A's key is KA3", keys={"A": KA3}, gen_delta=1)
    expect(A1.register(REG_UNREGISTER, KA, 0), CONFLICT, "A1 unregisters with a wrong CRKEY")
    expect(A2.register(REG_UNREGISTER, KA3, 0), OK, "A2 unregisters host A")
    report_is(A1, "no registrant", keys={}, gen_delta=1)
    expect(A1.register(REG_UNREGISTER, KA3, 0), CONFLICT, "A1 unregisters again (not registered)")
    expect(C.register(REG_REPLACE, KC, KC + 1), CONFLICT, "C (not registered) replaces a key")
    expect(A1.register(REG_REGISTER, 0, KA), OK, "A1 registers KA")
    expect(A1.register(REG_UNREGISTER, 0x999, 0, iekey=True), OK,
           "A1 unregisters with IEKEY and a wrong CRKEY")
    expect(A1.register(REG_REGISTER, 0, KA), OK, "A1 registers KA again")
    expect(B.register(REG_REGISTER, 0, KB), OK, "B registers KB")
    report_is(C, "A and B registered, C not; generation +4", rtype=0,
              keys={"A": KA, "B": KB}, holders=[], gen_delta=4)

    # ---------------------------------------------------------------- acquire
    expect(C.acquire(ACQ_ACQUIRE, WE, KC), CONFLICT, "C (not registered) acquires")
    expect(B.acquire(ACQ_ACQUIRE, WE, KA), CONFLICT, "B acquires with A's key as CRKEY")
    roles = [(A1, 0, "holder (A1)"), (A2, 0, "holder's other controller (A2)"),
             (B, 1, "registrant (B)"), (C, 2, "non-registrant (C)")]
    for t in (WE, EA, WERO, EARO, WEAR, EAAR):
        name = rc.TYPE_NAMES[t]
        allregs = t in (WEAR, EAAR)
        expect(A1.acquire(ACQ_ACQUIRE, t, KA), OK, "A1 acquires %s" % name)
        report_is(B, "%s held by A%s; Acquire leaves the generation" %
                  (name, " and every registrant (B)" if allregs else ""),
                  rtype=t, keys={"A": KA, "B": KB},
                  holders=["A", "B"] if allregs else ["A"], gen_delta=0)
        expect(A2.acquire(ACQ_ACQUIRE, t, KA), OK,
               "A2 (holder's host) acquires %s again" % name)
        other = WE if t != WE else EA
        expect(A1.acquire(ACQ_ACQUIRE, other, KA), CONFLICT,
               "the holder acquires another type (%d) under %s" % (other, name))
        st = B.acquire(ACQ_ACQUIRE, t, KB)
        if allregs:
            deviation(same_status(st, OK),
                      "B, a registrant and so a holder of %s, acquires it: success" % name,
                      st_word(st))
        else:
            expect(st, CONFLICT, "B acquires %s held by A" % name)
        access_matrix(t, roles)
        st = A1.release(REL_RELEASE, other, KA)
        deviation(same_status(st, INVALID_FIELD),
                  "the holder releases %s with another type (%d): Invalid Field in Command"
                  % (name, other), st_word(st))
        if not allregs:
            expect(B.release(REL_RELEASE, t, KB), OK,
                   "B (registrant, not the holder) releases %s" % name)
        report_is(C, "still %s held by A" % name, rtype=t, keys={"A": KA, "B": KB},
                  holders=["A", "B"] if allregs else ["A"], gen_delta=0)
        expect(A1.release(REL_RELEASE, t, KA), OK, "A1 releases %s" % name)
        report_is(C, "no reservation after the release; the generation unchanged", rtype=0,
                  keys={"A": KA, "B": KB}, holders=[], gen_delta=0)
        st, _ = C.read(8)
        expect(C.write(8), OK, "C writes once %s is released" % name)

    # a registrant other than the first releases an all-registrants reservation
    expect(A1.acquire(ACQ_ACQUIRE, EAAR, KA), OK, "A1 acquires EAAR")
    st = B.release(REL_RELEASE, EAAR, KB)
    st2, rep = B.report()
    deviation(same_status(st, OK) and rep is not None and rep["rtype"] == 0,
              "B (a holder of EAAR: all registrants hold it) releases it: no reservation",
              "%s, %s" % (st_word(st), report_json(rep)))
    expect(A1.release(REL_RELEASE, EAAR, KA), OK, "A1 releases EAAR (or nothing is held)")
    report_is(C, "no reservation", rtype=0, keys={"A": KA, "B": KB}, holders=[])

    # ---------------------------------------------------------------- report forms
    st, rep = A1.report(eds=False)
    expect(st, HOSTID_FORMAT,
           "Report with the non-extended structure (EDS 0) and 128-bit host IDs")
    st, rep = A1.report(numd=(64 + 64) // 4)
    step(st == 0 and rep is not None and rep["regctl"] == 2 and len(rep["regs"]) == 1 and
         rep["nbytes"] == 128,
         "Report into room for one registrant: REGCTL 2, one entry, 128 bytes",
         report_json(rep))

    # ---------------------------------------------------------------- notifications
    for c in (A1, A2, B, C):
        c.drain()
    # Preempt the holder: A holds WE, B preempts A's key.
    expect(A1.acquire(ACQ_ACQUIRE, WE, KA), OK, "A1 acquires Write Exclusive")
    expect(B.acquire(ACQ_PREEMPT, WE, KB, KA), OK, "B preempts A (PRKEY KA)")
    report_is(C, "B holds WE, A's registration is gone; Preempt counts", rtype=WE,
              keys={"B": KB}, holders=["B"], gen_delta=1)
    notice(A1, rc.LOG_REG_PREEMPTED, "A's registration preempted")
    notice(A2, rc.LOG_REG_PREEMPTED, "A's registration preempted")
    no_notice(B, "the preempting host")
    no_notice(C, "a host that is not registered")
    expect(A1.write(8), CONFLICT, "A (preempted, no longer registered) writes under WE")
    st, _ = A2.read(8)
    expect(st, OK, "A reads under WE")

    # Release of WE: no notification; release of WERO: Reservation Released.
    expect(A1.register(REG_REGISTER, 0, KA), OK, "A registers again")
    expect(B.release(REL_RELEASE, WE, KB), OK, "B releases WE")
    no_notice(A1, "release of Write Exclusive")
    expect(B.acquire(ACQ_ACQUIRE, WERO, KB), OK, "B acquires WERO")
    expect(B.release(REL_RELEASE, WERO, KB), OK, "B releases WERO")
    notice(A1, LOG_RESV_RELEASED, "WERO released")
    notice(A2, LOG_RESV_RELEASED, "WERO released")
    no_notice(B, "the releasing host")

    # The holder unregisters: WERO released (notified), WE released (not).
    expect(B.acquire(ACQ_ACQUIRE, EARO, KB), OK, "B acquires EARO")
    expect(B.register(REG_UNREGISTER, KB, 0), OK, "B (holder of EARO) unregisters")
    report_is(C, "EARO released with its holder's registration", rtype=0, keys={"A": KA},
              holders=[], gen_delta=None)
    notice(A1, LOG_RESV_RELEASED, "EARO released by its holder's unregistering")
    notice(A2, LOG_RESV_RELEASED, "EARO released by its holder's unregistering")
    expect(B.register(REG_REGISTER, 0, KB), OK, "B registers again")
    expect(B.acquire(ACQ_ACQUIRE, WE, KB), OK, "B acquires WE")
    expect(B.register(REG_UNREGISTER, KB, 0), OK, "B (holder of WE) unregisters")
    report_is(C, "WE released with its holder's registration", rtype=0, keys={"A": KA},
              holders=[])
    no_notice(A1, "WE released by its holder's unregistering")

    # All registrants: the reservation stays until the last registrant leaves.
    expect(B.register(REG_REGISTER, 0, KB), OK, "B registers again")
    expect(A1.acquire(ACQ_ACQUIRE, WEAR, KA), OK, "A1 acquires WEAR")
    expect(A1.register(REG_UNREGISTER, KA, 0), OK, "A unregisters (WEAR)")
    report_is(C, "WEAR stays, held by B, the remaining registrant", rtype=WEAR,
              keys={"B": KB}, holders=["B"])
    expect(B.write(8), OK, "B writes under WEAR")
    expect(C.write(8), CONFLICT, "C (not registered) writes under WEAR")
    expect(A1.write(8), CONFLICT, "A (no longer registered) writes under WEAR")
    expect(B.register(REG_UNREGISTER, KB, 0), OK, "B, the last registrant, unregisters")
    report_is(C, "no registrant, no reservation", rtype=0, keys={}, holders=[])
    expect(C.write(8), OK, "C writes")
    for c in (A1, A2, B, C):
        c.drain()

    # Clear: Reservation Preempted to every other registrant.
    expect(A1.register(REG_REGISTER, 0, KA), OK, "A registers")
    expect(B.register(REG_REGISTER, 0, KB), OK, "B registers")
    expect(C.register(REG_REGISTER, 0, KC), OK, "C registers")
    expect(B.acquire(ACQ_ACQUIRE, EA, KB), OK, "B acquires EA")
    report_is(A1, "A, B, C registered, B holds EA", rtype=EA, keys={"A": KA, "B": KB, "C": KC},
              holders=["B"])
    expect(A1.release(REL_CLEAR, 0, KA + 1), CONFLICT, "A clears with a wrong key")
    expect(A1.release(REL_CLEAR, 0, KA), OK, "A clears")
    report_is(C, "nothing registered, no reservation; Clear counts", rtype=0, keys={},
              holders=[], gen_delta=1)
    notice(B, LOG_RESV_PREEMPTED, "cleared")
    notice(C, LOG_RESV_PREEMPTED, "cleared")
    no_notice(A1, "the clearing host")
    no_notice(A2, "the clearing host")

    # Feature 82h: masks; 83h: PTPL 0.
    st, res = A1.get_feature(rc.FID_RESV_MASK)
    step(st == 0 and res == 0, "Get Features 82h on namespace 1: no mask", "%s 0x%x" % (st_word(st), res))
    mask = rc.MASK_REGPRE | rc.MASK_RESREL | rc.MASK_RESPRE
    st, _ = A1.set_feature(rc.FID_RESV_MASK, mask)
    expect(st, OK, "Set Features 82h: mask all three notifications")
    st, res = A1.get_feature(rc.FID_RESV_MASK)
    step(st == 0 and res == mask, "Get Features 82h returns the mask 0x%x" % mask,
         "%s 0x%x" % (st_word(st), res))
    st, res = A1.get_feature(rc.FID_RESV_PERSIST)
    deviation(same_status(st, OK) and res & 1 == 0,
              "Get Features 83h (Reservation Persistence): PTPL 0",
              "%s 0x%x" % (st_word(st), res))
    expect(A1.register(REG_REGISTER, 0, KA), OK, "A registers")
    expect(B.register(REG_REGISTER, 0, KB), OK, "B registers")
    expect(B.acquire(ACQ_ACQUIRE, WE, KB), OK, "B acquires WE")
    expect(B.acquire(ACQ_PREEMPT, WE, KB, KA), OK, "B preempts A's registration (masked)")
    no_notice(A1, "Registration Preempted masked by A")
    expect(A1.register(REG_REGISTER, 0, KA), OK, "A registers")
    expect(B.release(REL_RELEASE, WE, KB), OK, "B releases WE")
    expect(B.acquire(ACQ_ACQUIRE, WERO, KB), OK, "B acquires WERO")
    expect(B.release(REL_RELEASE, WERO, KB), OK, "B releases WERO (masked)")
    no_notice(A1, "Reservation Released masked by A")
    expect(B.release(REL_CLEAR, 0, KB), OK, "B clears (masked)")
    no_notice(A1, "Reservation Preempted masked by A")
    st, _ = A1.set_feature(rc.FID_RESV_MASK, 0)
    expect(st, OK, "Set Features 82h: no mask")
    st, res = A1.get_feature(rc.FID_RESV_MASK)
    step(st == 0 and res == 0, "Get Features 82h returns 0", "%s 0x%x" % (st_word(st), res))
    for c in (A1, A2, B, C):
        c.drain()
    expect(A1.register(REG_REGISTER, 0, KA), OK, "A registers")
    expect(B.register(REG_REGISTER, 0, KB), OK, "B registers")
    expect(B.acquire(ACQ_PREEMPT, WE, KB, KA), OK,
           "B preempts A's registration, no reservation held (unmasked)")
    report_is(C, "no reservation, A's registration gone", rtype=0, keys={"B": KB}, holders=[],
              gen_delta=None)
    notice(A1, LOG_REG_PREEMPTED, "Registration Preempted without a reservation, unmasked")
    notice(A2, LOG_REG_PREEMPTED, "Registration Preempted without a reservation, unmasked")

    # ---------------------------------------------------------------- preempt forms
    expect(A1.register(REG_REGISTER, 0, KA), OK, "A registers")
    expect(C.register(REG_REGISTER, 0, KC), OK, "C registers")
    expect(B.acquire(ACQ_ACQUIRE, WE, KB), OK, "B acquires WE")
    for c in (A1, A2, B, C):
        c.drain()
    report_is(A1, "B holds WE, A, B, C registered", rtype=WE,
              keys={"A": KA, "B": KB, "C": KC}, holders=["B"])
    expect(A1.acquire(ACQ_PREEMPT, WE, KA, 0), INVALID_FIELD,
           "A preempts with PRKEY 0 (a single holder, not A)")
    report_is(A1, "nothing changed; a failed Preempt leaves the generation", rtype=WE,
              keys={"A": KA, "B": KB, "C": KC}, holders=["B"], gen_delta=0)
    st = B.acquire(ACQ_PREEMPT, WE, KB, KC)
    st2, rep = A1.report()
    gone = rep is not None and "C" not in rep["keys"]
    deviation(same_status(st, OK) and gone and rep["keys"] == {"A": KA, "B": KB} and
              rep["holders"] == ["B"] and rep["rtype"] == WE,
              "B, the holder, preempts with C's key (not the holder's): C's registration "
              "removed, B still holds WE", "%s, %s" % (st_word(st), report_json(rep)))
    if gone:
        notice(C, LOG_REG_PREEMPTED, "C's registration preempted")
        no_notice(A1, "a registrant that was not preempted")
    else:
        expect(C.register(REG_UNREGISTER, KC, 0), OK, "C unregisters (state as specified)")
    report_is(A1, "A and B registered, B holds WE", rtype=WE, keys={"A": KA, "B": KB},
              holders=["B"])
    expect(B.acquire(ACQ_PREEMPT, EA, KB, KB), OK, "B preempts itself into EA (type change)")
    report_is(A1, "B holds EA, still registered", rtype=EA, keys={"A": KA, "B": KB},
              holders=["B"], gen_delta=1)
    st, _ = A1.read(8)
    expect(st, CONFLICT, "A (registrant) reads under EA")
    for c in (A1, A2, B, C):
        c.drain()
    expect(A2.acquire(ACQ_PREEMPT_ABORT, WE, KA, KB), OK,
           "A2 preempts and aborts B (holder of EA)")
    report_is(C, "A holds WE, B's registration gone; Preempt and Abort counts", rtype=WE,
              keys={"A": KA}, holders=["A"], gen_delta=1)
    notice(B, LOG_REG_PREEMPTED, "B's registration preempted and aborted")
    no_notice(A1, "the preempting host")
    expect(B.write(8), CONFLICT, "B writes after being preempted and aborted")
    st, _ = B.read(8)
    expect(st, OK, "B reads under WE")
    expect(A1.write(8), OK, "A1 writes as the new holder")
    # all registrants, PRKEY 0: every other registrant goes
    expect(B.register(REG_REGISTER, 0, KB), OK, "B registers")
    expect(C.register(REG_REGISTER, 0, KC), OK, "C registers")
    expect(A1.release(REL_RELEASE, WE, KA), OK, "A releases WE")
    expect(A1.acquire(ACQ_ACQUIRE, EAAR, KA), OK, "A acquires EAAR")
    for c in (A1, A2, B, C):
        c.drain()
    expect(B.acquire(ACQ_PREEMPT, WE, KB, 0), OK,
           "B preempts EAAR with PRKEY 0 into WE")
    report_is(C, "B holds WE, A and C unregistered (generation: 2 Register, 1 Preempt)",
              rtype=WE, keys={"B": KB}, holders=["B"], gen_delta=3)
    notice(A1, LOG_REG_PREEMPTED, "A preempted (all-registrants, PRKEY 0)")
    notice(C, LOG_REG_PREEMPTED, "C preempted (all-registrants, PRKEY 0)")
    expect(B.release(REL_CLEAR, 0, KB), OK, "B clears")
    report_is(C, "clean", rtype=0, keys={}, holders=[], gen_delta=1)

    for c in (A1, A2, B, C):
        c.close()
    print("# %d failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except tc.Answer as e:
        print("FAIL setup: the target answered %s" % e)
        sys.exit(1)
