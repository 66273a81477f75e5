#!/usr/bin/env python3
"""Makes /dev/nbdN a block device whose first open hangs.

The device is connected, through NBD_SET_SOCK, to one end of a socket pair
whose other end never answers: the partition scan that the next open of the
whole disk runs reads sector 0 and waits. Stays so for SECONDS (or until
SIGTERM), then closes the silent end: the read fails and the open returns.
Prints "ready" once the device is set up.

    nbd_hang.py /dev/nbd0 SECONDS
"""
import fcntl
import os
import signal
import socket
import sys
import threading
import time

NBD_SET_SOCK = 0xAB00
NBD_SET_BLKSIZE = 0xAB01
NBD_DO_IT = 0xAB03
NBD_CLEAR_SOCK = 0xAB04
NBD_SET_SIZE_BLOCKS = 0xAB07
NBD_DISCONNECT = 0xAB08


def main():
    dev, secs = sys.argv[1], float(sys.argv[2])
    mine, silent = socket.socketpair()
    fd = os.open(dev, os.O_RDWR)
    fcntl.ioctl(fd, NBD_SET_BLKSIZE, 4096)
    fcntl.ioctl(fd, NBD_SET_SIZE_BLOCKS, 16384)  # 64 MiB
    fcntl.ioctl(fd, NBD_SET_SOCK, mine.fileno())
    done = threading.Event()

    def run():
        try:
            fcntl.ioctl(fd, NBD_DO_IT)  # returns when the connection ends
        except OSError:
            pass
        done.set()

    threading.Thread(target=run, daemon=True).start()
    time.sleep(1)
    print("ready", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: None)
    end = time.monotonic() + secs
    while time.monotonic() < end and not done.is_set():
        try:
            time.sleep(0.2)
        except InterruptedError:
            break
    silent.close()  # the scan's read fails now, and the open returns
    done.wait(10)
    try:
        fcntl.ioctl(fd, NBD_CLEAR_SOCK)
    except OSError:
        pass
    os.close(fd)


if __name__ == "__main__":
    main()
