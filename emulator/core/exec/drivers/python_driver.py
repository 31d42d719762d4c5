# agentemu's Python driver: one interpreter that lives as long as a code-interpreter session, so
# variables and imports persist from call to call. agentemu writes one JSON request per line to
# fd 3: {"id", "code", "marker"}. The code runs in one namespace; its output goes to this
# process's own stdout and stderr (so subprocesses are captured too), each closed by the marker;
# then one JSON line answers on fd 4: {"id", "exitCode"}. A failure prints its traceback to
# stderr as `python3 -c` does.
import builtins
import json
import os
import sys
import traceback


def main():
    requests = os.fdopen(3, "r", encoding="utf-8", newline="\n")
    answers = os.fdopen(4, "w", encoding="utf-8")
    # The channel is agentemu's: code and the programs it starts must not inherit it.
    os.set_inheritable(3, False)
    os.set_inheritable(4, False)
    # Modules written into the working directory import as they would from a script there.
    sys.path[0] = os.getcwd()
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    answers.write(json.dumps({"ready": True, "version": sys.version.split()[0]}) + "\n")
    answers.flush()
    for line in requests:
        request = json.loads(line)
        status = run(request["code"], namespace)
        marker = request["marker"].encode()
        for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
            try:
                stream.flush()
            except Exception:
                pass
        os.write(1, marker)
        os.write(2, marker)
        answers.write(json.dumps({"id": request["id"], "exitCode": status}) + "\n")
        answers.flush()


def run(code, namespace):
    try:
        compiled = compile(code, "<string>", "exec")
    except BaseException:
        kind, value, _ = sys.exc_info()
        traceback.print_exception(kind, value, None)
        return 1
    try:
        exec(compiled, namespace)
        return 0
    except SystemExit as stop:
        if stop.code is None:
            return 0
        if isinstance(stop.code, int):
            return stop.code
        print(stop.code, file=sys.stderr)
        return 1
    except BaseException:
        kind, value, trace = sys.exc_info()
        # The first frame is this driver's exec(); the traceback starts at the code's own.
        traceback.print_exception(kind, value, trace.tb_next if trace is not None else None)
        return 1


main()
