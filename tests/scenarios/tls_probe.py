#!/usr/bin/env python3
"""A connection to a TLS port that never completes a handshake.

    tls_probe.py ADDRESS PORT KIND MIN MAX

Opens a TCP connection to ADDRESS:PORT, sends KIND and waits for the target
to end the connection (EOF or reset):

  garbage   an HTTP request: neither a TLS record (0x16) nor an NVMe/TCP
            PDU (an ICReq starts with 0x00)
  hello     the first 45 bytes of a TLS 1.3 ClientHello whose record header
            announces 512 bytes: a handshake that never gets its rest
  silent    nothing

Prints one line with what happened, after how many seconds and how many
bytes came back (a TLS alert is allowed). Exit 0 when the target ended the
connection after at least MIN and at most MAX seconds, 1 otherwise.
"""
import socket
import sys
import time

PAYLOADS = {
    "garbage": b"GET / HTTP/1.1\r\nHost: nvmet\r\n\r\n" + b"\xa5" * 64,
    # TLS record header: handshake (0x16), legacy version 3.1, length 512;
    # handshake header: ClientHello (0x01), length 508; legacy version 3.3,
    # 32 random bytes, a session ID length of 32 and 3 of its bytes.
    "hello": b"\x16\x03\x01\x02\x00" + b"\x01\x00\x01\xfc" + b"\x03\x03"
             + bytes(range(32)) + b"\x20" + b"\x11\x22\x33",
    "silent": b"",
}


def main():
    if len(sys.argv) != 6 or sys.argv[3] not in PAYLOADS:
        print(__doc__)
        return 2
    addr, port, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    lo, hi = float(sys.argv[4]), float(sys.argv[5])
    s = socket.create_connection((addr, port), timeout=5)
    if PAYLOADS[kind]:
        s.sendall(PAYLOADS[kind])
    start = time.monotonic()
    s.settimeout(hi + 5)
    got = 0
    how = None
    try:
        while True:
            data = s.recv(4096)
            if not data:
                how = "closed (EOF)"
                break
            got += len(data)
    except ConnectionResetError:
        how = "reset"
    except socket.timeout:
        how = "still open"
    secs = time.monotonic() - start
    s.close()
    print("%s %s: %s after %.1f s, %d bytes received (expected: ended within %g-%g s)"
          % (kind, port, how, secs, got, lo, hi))
    ok = how != "still open" and lo <= secs <= hi
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
