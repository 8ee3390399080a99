"""Shim for process-runtime containers with `stdin` or `tty` (started detached by process.ts as
`python3 -I stdio-shim.py DIR LOG CWD FLAGS CMD...`, FLAGS a subset of "iot": stdin, stdinOnce, tty).

It does what shim.ts's shell script does (pid, CRI log lines, exit code and finish time as files in
DIR) and also keeps the container's stdin open — a pipe, or a pty with `tty` — serving it on the unix
socket DIR/attach, so a kubelet (or a restarted one) can attach to it. Output always goes to the log,
which attach follows; here partial lines are logged at once as `P` entries so prompts show.

Attach protocol, client -> shim only: frames of one type byte, a big-endian u32 length, the payload.
Type 0: bytes for stdin. Type 1: terminal size, u16 width + u16 height (ignored without a tty).
A client hanging up ends its session; with stdinOnce the first session's end closes stdin (the
process reads EOF; with a pty, an EOF character is sent instead since a pty cannot be half-closed).
"""
import errno, fcntl, os, select, socket, struct, subprocess, sys, termios, time

MAX_PENDING = 1 << 20  # stop reading clients while this much input waits for the process


def stamp():
    ns = time.time_ns()
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(ns // 10**9)) + '.%09dZ' % (ns % 10**9)


class Log:
    """CRI log lines `<time> <stream> <F|P> <content>`; the file is reopened per write so rotation by rename works."""

    def __init__(self, path, tty):
        self.path, self.tty, self.rest = path, tty, {}

    def write(self, stream, data):
        *lines, self.rest[stream] = (self.rest.get(stream, b'') + data).split(b'\n')
        self.append([(stream, b'F', line) for line in lines])

    def flush(self, stream, final=False):
        """A partial line goes out as `P` once its stream is quiet (a prompt), as `F` at the end."""
        rest = self.rest.pop(stream, b'')
        if rest:
            self.append([(stream, b'F' if final else b'P', rest)])

    def append(self, entries):
        if not entries:
            return
        ts = stamp().encode()
        out = b''.join(b'%s %s %s %s\n' % (ts, s.encode(), tag, line[:-1] if self.tty and tag == b'F' and line.endswith(b'\r') else line) for s, tag, line in entries)
        try:
            with open(self.path, 'ab') as f:
                f.write(out)
        except OSError:
            pass  # the pod's log folder is gone


def put_file(d, name, text):
    tmp = os.path.join(d, name + '.tmp')
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, os.path.join(d, name))


class Stdin:
    """The container's stdin as the shim holds it: input queued from attach sessions, written without blocking."""

    def __init__(self, fd, tty, enabled):
        self.fd, self.tty, self.open, self.pending, self.closing = fd, tty, enabled, b'', False
        if fd is not None:
            os.set_blocking(fd, False)

    def feed(self, data):
        if self.open and not self.closing:
            self.pending += data

    def close_after_pending(self):
        if self.open:
            self.closing = True
            self.flush()

    def flush(self):
        if not self.open:
            return
        try:
            while self.pending:
                self.pending = self.pending[os.write(self.fd, self.pending):]
        except BlockingIOError:
            return
        except OSError:  # EPIPE: the process closed its stdin; EIO: the pty is gone
            self.pending, self.open = b'', False
            return
        if self.closing:
            self.open = False
            if self.tty:
                try:
                    os.write(self.fd, b'\x04')  # VEOF: the reader's read() returns 0
                except OSError:
                    pass
            else:
                os.close(self.fd)


def spawn(argv, cwd, stdin_on, tty):
    """Starts the command in a new session; returns (process, stdin fd, {output fd: stream})."""
    if tty:
        master, slave = os.openpty()
        io = dict(stdin=slave, stdout=slave, stderr=slave, preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
        outputs, stdin_fd, child_fds = {master: 'stdout'}, master, [slave]
    else:
        in_r, stdin_fd = os.pipe() if stdin_on else (os.open(os.devnull, os.O_RDONLY), None)
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        io = dict(stdin=in_r, stdout=out_w, stderr=err_w)
        outputs, child_fds = {out_r: 'stdout', err_r: 'stderr'}, [in_r, out_w, err_w]
    try:
        proc = subprocess.Popen(argv, cwd=cwd, start_new_session=True, **io)
    finally:
        for fd in child_fds:
            os.close(fd)
    return proc, stdin_fd, outputs


def main():
    d, log_path, cwd, flags, *argv = sys.argv[1:]
    tty = 't' in flags
    log = Log(log_path, tty)
    # Bound relative to the folder: unix socket paths are limited to 108 bytes.
    os.chdir(d)
    if os.path.exists('attach'):
        os.unlink('attach')
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind('attach')
    srv.listen(16)
    try:
        proc, stdin_fd, outputs = spawn(argv, cwd, 'i' in flags, tty)
    except OSError as e:
        log.write('stderr', ('%s: %s\n' % (argv[0], e.strerror)).encode())
        put_file(d, 'finished', str(time.time_ns() // 10**6))
        put_file(d, 'exit', '127' if e.errno == errno.ENOENT else '126')
        return
    put_file(d, 'pid', str(proc.pid))
    stdin = Stdin(stdin_fd, tty, 'i' in flags)
    once = 'o' in flags
    clients = {}  # socket -> bytes received but not yet a whole frame
    code = None
    while True:
        exited = code is not None  # known before this select, so what it wrote last is in the pipes now
        readers = [srv, *outputs] + (list(clients) if len(stdin.pending) < MAX_PENDING else [])
        writers = [stdin.fd] if stdin.open and stdin.pending else []
        ready, writable, _ = select.select(readers, writers, [], 0.1)
        got_output, written = False, set()
        for r in ready:
            if r is srv:
                conn, _ = srv.accept()
                clients[conn] = b''
            elif r in clients:
                try:
                    data = r.recv(65536)
                except OSError:
                    data = b''
                if not data:
                    del clients[r]
                    r.close()
                    if once:
                        stdin.close_after_pending()
                    continue
                buf = clients[r] + data
                while len(buf) >= 5:
                    kind, n = struct.unpack('>BI', buf[:5])
                    if len(buf) < 5 + n:
                        break
                    payload, buf = buf[5:5 + n], buf[5 + n:]
                    if kind == 0:
                        stdin.feed(payload)
                    elif kind == 1 and tty and n == 4:
                        w, h = struct.unpack('>HH', payload)
                        try:
                            fcntl.ioctl(stdin_fd, termios.TIOCSWINSZ, struct.pack('HHHH', h, w, 0, 0))
                        except OSError:
                            pass
                clients[r] = buf
            else:
                try:
                    data = os.read(r, 65536)
                except BlockingIOError:  # a pty master is non-blocking (it is also stdin)
                    continue
                except OSError:  # EIO on a pty master: every holder of the slave side is gone
                    data = b''
                if data:
                    got_output = True
                    written.add(outputs[r])
                    log.write(outputs[r], data)
                else:
                    log.flush(outputs.pop(r), final=True)
                    if r != stdin_fd:
                        os.close(r)
        if writable:
            stdin.flush()
        if code is None:
            code = proc.poll()
        if code is None:
            for stream in set(outputs.values()) - written:
                log.flush(stream)
        # Once the process is gone, drain what its pipes still hold, then stop.
        if exited and (not outputs or not got_output):
            break
    for stream in ('stdout', 'stderr'):
        log.flush(stream, final=True)
    for c in clients:
        c.close()
    srv.close()
    try:
        os.unlink('attach')
    except OSError:
        pass
    put_file(d, 'finished', str(time.time_ns() // 10**6))
    put_file(d, 'exit', str(code if code >= 0 else 128 - code))


main()
