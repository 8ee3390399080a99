"""Attach relay for conmon's attach socket (started by attach.ts as `python3 attach-relay.py SOCKET`).

conmon serves attach on a unix SOCK_SEQPACKET socket (`<socket-dir>/<id>/attach`), which Node
cannot open. Each packet conmon sends is one byte of stream type (2 stdout, 3 stderr) followed by
the data; bytes a client sends go to the container's stdin (conmon started with --stdin). This
copies stdin(0) -> socket and stdout/stderr packets -> fd 1 / fd 2. On stdin EOF the write side is
shut down, which conmon takes as the client hanging up (it closes the container's stdin unless
--leave-stdin-open); it ends when conmon closes the socket (the container exited).
"""
import os, select, socket, sys


def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def main():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(sys.argv[1])
    readers = [s.fileno(), 0]
    while True:
        ready, _, _ = select.select(readers, [], [])
        if s.fileno() in ready:
            pkt = s.recv(8193)
            if not pkt:
                break
            if pkt[0] in (2, 3) and len(pkt) > 1:
                write_all(1 if pkt[0] == 2 else 2, pkt[1:])
        if 0 in ready:
            data = os.read(0, 8192)
            if data:
                s.sendall(data)
            else:
                readers.remove(0)
                s.shutdown(socket.SHUT_WR)


main()
