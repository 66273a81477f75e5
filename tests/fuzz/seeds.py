#!/usr/bin/env python3
"""Writes seed inputs for fuzz_wire: valid PDU streams and FC-NVMe link services and
CMD IUs a Linux host sends."""
import struct
import sys
from pathlib import Path

def ch(t, flags, hlen, pdo, plen):
    return struct.pack('<BBBBI', t, flags, hlen, pdo, plen)

def icreq(digest=0):
    return ch(0, 0, 128, 0, 128) + struct.pack('<HBBI', 0, 0, digest, 0) + bytes(112)

def sqe(opcode, sgl_type, addr, length, fctype=0):
    s = bytearray(64)
    s[0] = opcode
    s[1] = 0x40
    s[4] = fctype
    s[24:32] = struct.pack('<Q', addr)
    s[32:36] = struct.pack('<I', length)
    s[39] = sgl_type
    return bytes(s)

def connect_cmd():
    s = bytearray(sqe(0x7f, 0x01, 0, 1024, fctype=1))
    s[44:46] = struct.pack('<H', 31)
    data = bytearray(1024)
    data[16:18] = struct.pack('<H', 0xffff)
    sub = b'nqn.2026-11.org.nvmet-oot:t'
    host = b'nqn.2014-08.org.nvmexpress:uuid:6b1c2a10-5e0c-4a58-9d4f-1a2b3c4d5e6f'
    data[256:256 + len(sub)] = sub
    data[512:512 + len(host)] = host
    return ch(4, 0, 72, 72, 72 + 1024) + bytes(s) + bytes(data)

def read_cmd():
    return ch(4, 0, 72, 0, 72) + sqe(0x02, 0x5a, 0, 8192)

def h2c(length):
    return ch(6, 4, 24, 24, 24 + length) + struct.pack('<HHIII', 1, 0, 0, length, 0) + bytes(length)

def auth_send(msg):
    """Authentication Send (fctype 05h) with MSG in the capsule."""
    s = bytearray(sqe(0x7f, 0x01, 0, len(msg), fctype=5))
    s[41:48] = struct.pack('<BBBI', 1, 1, 0xe9, len(msg))
    return ch(4, 0, 72, 72, 72 + len(msg)) + bytes(s) + msg

def negotiate():
    """AUTH_Negotiate as Linux sends it: every hash, every DH group."""
    desc = bytes([1, 0, 3, 6]) + bytes([1, 2, 3]) + bytes(27) + bytes(range(6)) + bytes(24)
    return struct.pack('<BBHHBB', 0, 0, 0, 1, 0, 1) + desc

def reply(hl=32, dhvlen=256):
    """DH-HMAC-CHAP_Reply with C2 and a DH value."""
    return struct.pack('<BBHHBBBBHI', 1, 2, 0, 1, hl, 0, 1, 0, dhvlen, 7) + bytes(2 * hl + dhvlen)

HOSTNQN = b'nqn.2014-08.org.nvmexpress:uuid:6b1c2a10-5e0c-4a58-9d4f-1a2b3c4d5e6f'
SUBNQN = b'nqn.2026-11.org.nvmet-oot:t'

def fc_desc(tag, body):
    """An FC-NVMe LS descriptor: tag, length of what follows, BODY (big-endian)."""
    return struct.pack('>II', tag, len(body)) + body

def fc_ls(cmd, descs):
    body = b''.join(descs)
    return struct.pack('>B3xI', cmd, len(body)) + body

def fc_create_assoc(sqsize=31, ersp_ratio=6):
    """Create Association as the Linux host sends it: 1024 bytes."""
    d = bytearray(1008)
    d[0:2] = struct.pack('>H', ersp_ratio)
    d[40:44] = struct.pack('>HH', 0xffff, sqsize)
    d[48:64] = bytes(range(0xa0, 0xb0))
    d[64:64 + len(HOSTNQN)] = HOSTNQN
    d[320:320 + len(SUBNQN)] = SUBNQN
    return fc_ls(3, [fc_desc(3, bytes(d))])

def fc_assoc_id(assoc):
    return fc_desc(7, struct.pack('>Q', assoc))

def fc_create_conn(assoc, qid, sqsize=127, ersp_ratio=25):
    d = bytearray(48)
    d[0:2] = struct.pack('>H', ersp_ratio)
    d[40:44] = struct.pack('>HH', qid, sqsize)
    return fc_ls(4, [fc_assoc_id(assoc), fc_desc(4, bytes(d))])

def fc_disconn_assoc(assoc):
    return fc_ls(5, [fc_assoc_id(assoc), fc_desc(5, bytes(16))])

def fc_cmd_iu(conn, flags, data_len, s, cat=0x08, csn=1):
    """An FCP CMD IU (96 bytes) with the SQE S, then a CQE for its response."""
    iu = struct.pack('>BBH2xBBQII', 0xfd, 0x28, 24, cat, flags, conn, csn, data_len)
    return iu + s + bytes(8) + struct.pack('<QHHHH', 0, 5, 1, 0x1234, 0)

limits = bytes([0, 0, 8, 3])  # not connected, no digests, 8 KiB in-capsule
seeds = {
    'connect': limits + icreq() + connect_cmd(),
    'read': limits + icreq() + read_cmd(),
    'write': limits + icreq() + ch(4, 0, 72, 0, 72) + sqe(0x01, 0x5a, 0, 4096) + h2c(4096),
    'digests': limits + icreq(3),
    'term': bytes([1, 0, 8, 3]) + ch(2, 0, 24, 0, 32) + bytes(16) + bytes(8),
    'auth-negotiate': bytes([1, 0, 8, 3]) + auth_send(negotiate()),
    'auth-reply': bytes([1, 0, 8, 3]) + auth_send(reply()),
    'auth-failure2': bytes([1, 0, 8, 3]) + auth_send(struct.pack('<BBHHBB', 0, 0xf0, 0, 1, 1, 1)),
    'fc-create-assoc': fc_create_assoc(),
    'fc-create-conn': fc_create_conn(0x1234567890ab0000, 1),
    'fc-disconn-assoc': fc_disconn_assoc(0x1234567890ab0000),
    'fc-cmd-read': fc_cmd_iu(0x1234567890ab0001, 2, 8192, sqe(0x02, 0x00, 0, 8192)),
    'fc-cmd-connect': fc_cmd_iu(0x1234567890ab0000, 1, 1024, sqe(0x7f, 0x00, 0, 1024, fctype=1),
                                cat=0x01),
}
out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
for name, data in seeds.items():
    (out / f'seed-{name}').write_bytes(data)
