"""Runs many `cloud-init schema --config-file F` and `cloud-init devel net-convert ARGS` in one python process.

Each job does what the command line does for it (cloudinit.config.schema.handle_schema_args and
cloudinit.cmd.devel.net_convert.handle_args, cloud-init 22.4), without starting python and importing cloudinit
once per file. Reads a JSON list of jobs on stdin, {"schema": path} or {"netConvert": [argv...]}, and writes
one JSON result per job, in order: {"ok": bool, "stdout": str, "stderr": str}.
"""
import contextlib
import io
import json
import sys
import traceback

from cloudinit.cmd.devel import net_convert
from cloudinit.config import schema as cc_schema

full_schema = None


def schema_job(path):
    # as handle_schema_args: errors (and RuntimeError) fail; deprecations are printed, not errors
    global full_schema
    if full_schema is None:
        full_schema = cc_schema.get_schema()
    try:
        cc_schema.validate_cloudconfig_file(path, full_schema, False)
    except (cc_schema.SchemaValidationError, RuntimeError) as e:
        sys.stderr.write("Error:\n%s\n" % e)
        return False
    print("Valid cloud-config:", path)
    return True


def net_convert_job(argv):
    args = net_convert.get_parser().parse_args(argv)
    net_convert.handle_args("net-convert", args)
    return True


results = []
for job in json.load(sys.stdin):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            ok = schema_job(job["schema"]) if "schema" in job else net_convert_job(job["netConvert"])
        except SystemExit as e:  # argparse
            ok = e.code == 0
        except Exception:
            traceback.print_exc()
            ok = False
    results.append({"ok": ok, "stdout": out.getvalue(), "stderr": err.getvalue()})
json.dump(results, sys.stdout)
