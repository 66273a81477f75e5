#!/usr/bin/env python3
"""An NVMe/RDMA connection request with chosen private data.

    rdma_cm_probe.py ADDRESS PORT RECFMT QID HRQSIZE HSQSIZE

Resolves ADDRESS:PORT through the RDMA_CM (librdmacm, through ctypes) and
sends a connection request whose 32 bytes of private data carry RECFMT,
QID, HRQSIZE, HSQSIZE and CNTLID FFFFh (NVMe over Fabrics, RDMA transport
binding), without a queue pair of its own: what comes back is all it wants.
Prints one line:

    accepted recfmt=R crqsize=N      the target accepted (RDMA_CM_ACCEPT data)
    rejected reason=R recfmt=F sts=S the target rejected (RDMA_CM_REJECT data)
    error WHAT                       anything else

and exits 0 for the first two, 1 otherwise. An accepted connection is
dropped at once (the target then closes its queue).
"""
import ctypes
import select
import socket
import struct
import sys

RDMA_PS_TCP = 0x0106
EV_ADDR_RESOLVED, EV_ROUTE_RESOLVED = 0, 2
EV_CONNECT_RESPONSE, EV_REJECTED, EV_ESTABLISHED = 5, 8, 9
EV_NAMES = ["ADDR_RESOLVED", "ADDR_ERROR", "ROUTE_RESOLVED", "ROUTE_ERROR",
            "CONNECT_REQUEST", "CONNECT_RESPONSE", "CONNECT_ERROR", "UNREACHABLE",
            "REJECTED", "ESTABLISHED", "DISCONNECTED", "DEVICE_REMOVAL",
            "MULTICAST_JOIN", "MULTICAST_ERROR", "ADDR_CHANGE", "TIMEWAIT_EXIT"]


class ConnParam(ctypes.Structure):
    """struct rdma_conn_param (librdmacm's public rdma_cma.h)."""
    _fields_ = [("private_data", ctypes.c_void_p), ("private_data_len", ctypes.c_uint8),
                ("responder_resources", ctypes.c_uint8), ("initiator_depth", ctypes.c_uint8),
                ("flow_control", ctypes.c_uint8), ("retry_count", ctypes.c_uint8),
                ("rnr_retry_count", ctypes.c_uint8), ("srq", ctypes.c_uint8),
                ("qp_num", ctypes.c_uint32)]


class CmEvent(ctypes.Structure):
    """struct rdma_cm_event, up to the connection parameters of its union."""
    _fields_ = [("id", ctypes.c_void_p), ("listen_id", ctypes.c_void_p),
                ("event", ctypes.c_int), ("status", ctypes.c_int), ("conn", ConnParam)]


class SockaddrIn(ctypes.Structure):
    _fields_ = [("family", ctypes.c_uint16), ("port", ctypes.c_uint16),
                ("addr", ctypes.c_uint8 * 4), ("zero", ctypes.c_uint8 * 8)]


class Cm:
    def __init__(self):
        self.lib = ctypes.CDLL("librdmacm.so.1", use_errno=True)
        self.lib.rdma_create_event_channel.restype = ctypes.c_void_p
        for f in ("rdma_create_id", "rdma_resolve_addr", "rdma_resolve_route", "rdma_connect",
                  "rdma_get_cm_event", "rdma_ack_cm_event", "rdma_destroy_id"):
            getattr(self.lib, f).restype = ctypes.c_int
        self.channel = self.lib.rdma_create_event_channel()
        if not self.channel:
            raise OSError(ctypes.get_errno(), "rdma_create_event_channel")
        # struct rdma_event_channel begins with its file descriptor.
        self.fd = ctypes.cast(self.channel, ctypes.POINTER(ctypes.c_int))[0]
        self.id = ctypes.c_void_p()
        if self.lib.rdma_create_id(ctypes.c_void_p(self.channel), ctypes.byref(self.id), None,
                                   RDMA_PS_TCP):
            raise OSError(ctypes.get_errno(), "rdma_create_id")

    def event(self, timeout=10.0):
        """Waits for the next event: (type, status, private data bytes)."""
        if not select.select([self.fd], [], [], timeout)[0]:
            raise TimeoutError("no RDMA_CM event")
        ev = ctypes.POINTER(CmEvent)()
        if self.lib.rdma_get_cm_event(ctypes.c_void_p(self.channel), ctypes.byref(ev)):
            raise OSError(ctypes.get_errno(), "rdma_get_cm_event")
        e = ev.contents
        data = b""
        if e.conn.private_data and e.conn.private_data_len:
            data = ctypes.string_at(e.conn.private_data, e.conn.private_data_len)
        out = (e.event, e.status, data)
        self.lib.rdma_ack_cm_event(ev)
        return out

    def expect(self, want):
        ev, status, _ = self.event()
        if ev != want:
            raise RuntimeError(f"expected {EV_NAMES[want]}, got {EV_NAMES[ev]} (status {status})")


def main():
    if len(sys.argv) != 7:
        print(__doc__)
        return 2
    addr, port = sys.argv[1], int(sys.argv[2])
    recfmt, qid, hrqsize, hsqsize = (int(v, 0) for v in sys.argv[3:7])
    try:
        cm = Cm()
        dst = SockaddrIn(socket.AF_INET, socket.htons(port),
                         (ctypes.c_uint8 * 4)(*socket.inet_aton(addr)))
        if cm.lib.rdma_resolve_addr(cm.id, None, ctypes.byref(dst), 2000):
            raise OSError(ctypes.get_errno(), "rdma_resolve_addr")
        cm.expect(EV_ADDR_RESOLVED)
        if cm.lib.rdma_resolve_route(cm.id, 2000):
            raise OSError(ctypes.get_errno(), "rdma_resolve_route")
        cm.expect(EV_ROUTE_RESOLVED)
        priv = ctypes.create_string_buffer(
            struct.pack("<HHHHH22x", recfmt, qid, hrqsize, hsqsize, 0xffff), 32)
        param = ConnParam(ctypes.cast(priv, ctypes.c_void_p), 32, 0, 0, 1, 7, 7, 0, 0x123)
        if cm.lib.rdma_connect(cm.id, ctypes.byref(param)):
            raise OSError(ctypes.get_errno(), "rdma_connect")
        ev, status, data = cm.event()
    except (OSError, RuntimeError, TimeoutError) as e:
        print(f"error {e}")
        return 1
    if ev in (EV_CONNECT_RESPONSE, EV_ESTABLISHED) and len(data) >= 4:
        f, crq = struct.unpack_from("<HH", data)
        print(f"accepted recfmt={f} crqsize={crq}")
    elif ev == EV_REJECTED and len(data) >= 4:
        f, sts = struct.unpack_from("<HH", data)
        print(f"rejected reason={status} recfmt={f} sts={sts}")
    else:
        print(f"error {EV_NAMES[ev] if ev < len(EV_NAMES) else ev} status={status} "
              f"private data {data[:8].hex()}")
        return 1
    cm.lib.rdma_destroy_id(cm.id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
