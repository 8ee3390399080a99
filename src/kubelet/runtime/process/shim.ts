/**
 * @module The per-container shim of the `process` runtime: a tiny POSIX shell script started
 * detached (its own session), so the container outlives a kubelet restart. It starts the
 * command in a new session (`setsid`, so the whole process group can be signalled), turns its
 * stdout/stderr into CRI log lines (`<RFC3339Nano> <stream> F <line>`, reopening the log per
 * line so rotation by rename works) and records the pid and, at the end, the exit code and
 * finish time as files in the container's state folder — what conmon does for runc.
 */
export const shimScript = `
d="$1"; log="$2"; cwd="$3"; shift 3
rm -f "$d/out" "$d/err"; mkfifo "$d/out" "$d/err" || exit 97
rd() { while IFS= read -r l || [ -n "$l" ]; do printf '%s %s F %s\\n' "$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)" "$1" "$l" >> "$log"; done; }
rd stdout < "$d/out" &
r1=$!
rd stderr < "$d/err" &
r2=$!
cd "$cwd" || exit 98
setsid "$@" > "$d/out" 2> "$d/err" < /dev/null &
p=$!
echo $p > "$d/pid.tmp" && mv "$d/pid.tmp" "$d/pid"
wait $p
c=$?
wait $r1 $r2
date +%s%3N > "$d/finished.tmp" && mv "$d/finished.tmp" "$d/finished"
echo $c > "$d/exit.tmp" && mv "$d/exit.tmp" "$d/exit"
rm -f "$d/out" "$d/err"
`;
