"""Runs kubernetes-validate over many files in one process; prints one line per file:
`OK <path>` or `FAIL <path>: <reason>`. A crash inside the validator fails that file only."""
import contextlib
import io
import sys

from kubernetes_validate import utils


def main(version, paths):
    for path in paths:
        captured = io.StringIO()
        try:
            with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
                rc = utils.validate_file(path, version, True, True, True)
        except (Exception, SystemExit) as error:  # the validator itself failed, or gave up, on this file
            rc, captured = 1, io.StringIO(f"{type(error).__name__}: {error}")
        if rc == 0:
            print(f"OK {path}")
        else:
            reason = "; ".join(line for line in captured.getvalue().splitlines() if line.startswith("ERROR")) or captured.getvalue().strip().splitlines()[-1:]
            print(f"FAIL {path}: {reason}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
