#!/usr/bin/env python3
"""The host block layer's view of a zoned block device, as `blkzone report`
prints it (the lab guest has no blkzone): BLKREPORTZONE, one line per zone.

    zone_report.py DEV [FIRST_SECTOR [COUNT]]

Prints "start: S, len L, wptr W, type T, cond C" per zone (sectors, from the
kernel's struct blk_zone) and ends with "zones: N".
"""
import fcntl
import os
import struct
import sys

BLKREPORTZONE = 0xC0101282  # _IOWR(0x12, 130, struct blk_zone_report)
HDR = struct.Struct("=QII")  # sector, nr_zones, flags
ZONE = struct.Struct("=QQQBBBB4sQ24s")  # struct blk_zone, 64 bytes
COND = {0x0: "nw", 0x1: "em", 0x2: "oi", 0x3: "oe", 0x4: "cl", 0xD: "ro",
        0xE: "fu", 0xF: "ol"}


def main():
    dev = sys.argv[1]
    sector = int(sys.argv[2], 0) if len(sys.argv) > 2 else 0
    want = int(sys.argv[3], 0) if len(sys.argv) > 3 else 1 << 20
    fd = os.open(dev, os.O_RDONLY)
    total = 0
    while want > 0:
        n = min(want, 128)
        buf = bytearray(HDR.size + n * ZONE.size)
        HDR.pack_into(buf, 0, sector, n, 0)
        fcntl.ioctl(fd, BLKREPORTZONE, buf)
        _, got, _ = HDR.unpack_from(buf, 0)
        if got == 0:
            break
        for i in range(got):
            start, length, wp, ztype, cond, _, _, _, _, _ = ZONE.unpack_from(
                buf, HDR.size + i * ZONE.size)
            print(f"start: {start:#x}, len {length:#x}, wptr {wp - start:#x}, "
                  f"type {ztype}, cond {COND.get(cond, hex(cond))}")
            sector = start + length
        total += got
        want -= got
    os.close(fd)
    print(f"zones: {total}")


if __name__ == "__main__":
    main()
