"""Console relay for `runc exec -t` (started by exec.ts as `python3 console-relay.py RUNTIME ROOT ID CMD...`).

Node cannot receive a file descriptor over a unix socket, which `--console-socket` needs, so this
does what containerd's shim does: become a child subreaper, run `runc exec -d -t --console-socket`,
take the pty master runc sends (SCM_RIGHTS), reap the detached process (reparented to us) for its
exit code, and copy bytes stdin(0) -> pty and pty -> stdout(1). fd 3 carries "WIDTH HEIGHT" lines
that become TIOCSWINSZ. Exit code: the process's (128+signal when killed), or runc's if it failed.
"""
import ctypes, fcntl, os, select, shutil, signal, socket, struct, subprocess, sys, tempfile, termios


def write_all(fd, data):
    while data:
        data = data[os.write(fd, data):]


def main():
    runtime, root, cid, *cmd = sys.argv[1:]
    ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    tmp = tempfile.mkdtemp(prefix='skiff-tty-')
    sock_path, pid_path = os.path.join(tmp, 'console.sock'), os.path.join(tmp, 'pid')
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(sock_path)
    srv.listen(1)
    srv.settimeout(0.05)
    runc = subprocess.Popen([runtime, f'--root={root}', 'exec', '-d', '-t', '--console-socket', sock_path,
                             '--pid-file', pid_path, cid, *cmd], stdin=subprocess.DEVNULL)
    master = None
    while master is None and runc.poll() is None:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        _, fds, _, _ = socket.recv_fds(conn, 1024, 1)
        conn.close()
        master = fds[0] if fds else None
    rc = runc.wait()
    pid = int(open(pid_path).read().strip() or 0) if rc == 0 and os.path.exists(pid_path) else 0
    shutil.rmtree(tmp, ignore_errors=True)
    if master is None or pid <= 0:
        sys.exit(rc or 1)
    signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGTERM))
    readers = {0, master}
    try:
        os.fstat(3)
        readers.add(3)
    except OSError:
        pass
    resize, status = b'', None
    while True:
        ready, _, _ = select.select(list(readers), [], [], 0.1)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO on the master: every holder of the pty's slave side is gone
                data = b''
            if not data:
                readers.discard(fd)
            elif fd == master:
                write_all(1, data)
            elif fd == 0:
                write_all(master, data)
            else:
                resize += data
                *lines, resize = resize.split(b'\n')
                for line in lines:
                    w, h = (int(x) for x in line.split())
                    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack('HHHH', h, w, 0, 0))
        while status is None:
            try:
                p, st = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if p == 0:
                break
            if p == pid:
                code = os.waitstatus_to_exitcode(st)
                status = code if code >= 0 else 128 - code
        # Once the process is gone, drain what the pty still holds, then stop.
        if status is not None and (master not in readers or not ready):
            break
    sys.exit(status)


main()
