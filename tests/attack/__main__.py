"""`python -m tests.attack` (`make attack`): start a production-like stack on loopback and attack it.

Prints one line per attack (HELD, FAILED, or ERROR when the attack itself could not run), then
`tried N, held H, failed F`; writes report.json into the run folder; exits 1 if anything did
not hold. Options: --race-clients N (default 550), --only J1,J4 (setup always runs),
--run-dir PATH, --token-rate N (the stack's TOKEN_LINK_RATE_PER_MINUTE, default 100).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import traceback

from tests.support.stack import ROOT, Stack

from . import attacks
from .flows import Site

# Run order: sign-ins first (they need fresh TOTP windows, not patient data), then what needs the
# patient-link budget, the destructive and heavy ones (erasure, the race, Redis faults), the
# J4 traffic, link guessing (it uses up the minute's link budget on purpose), and the log checks last.
ORDER = [
    "C1", "J7a", "J7b", "J7c", "J8", "C3", "C4", "C5", "B4",
    "J1", "J2", "C8", "J3", "B2", "B3", "E1", "E2", "E3", "E4", "E5",
    "J10a", "J10b", "J10c", "J10d", "J10e", "J10f", "J10g", "J10h",
    "B1", "B5", "D3", "D2", "D4", "J5", "J11", "F1", "J6", "G6",
    "<j4-traffic>", "D6", "J7d", "D1", "J4", "J9",
]  # fmt: skip


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.attack", description=__doc__.splitlines()[0])
    parser.add_argument("--race-clients", type=int, default=550)
    parser.add_argument("--only", default="", help="comma-separated attack ids (setup always runs)")
    parser.add_argument("--run-dir", default=None)
    parser.add_argument("--token-rate", type=int, default=100)
    args = parser.parse_args(argv)

    # SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, so every process of the stack is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    registry = {ident: (title, group, fn) for ident, title, group, fn in attacks.ATTACKS}
    unknown = set(ORDER) - set(registry) - {"<j4-traffic>"}
    assert not unknown, unknown
    only = {x.strip() for x in args.only.split(",") if x.strip()}
    run_dir = args.run_dir or ROOT / "var" / "attack" / time.strftime("%Y%m%d-%H%M%S")
    started = time.monotonic()
    results = []
    stack = Stack(run_dir, env={"TOKEN_LINK_RATE_PER_MINUTE": args.token_rate}, log=sys.stderr)
    print(f"Attack run: stack in {stack.run_dir}", flush=True)
    try:
        stack.start()
        site = Site(stack, token_rate=args.token_rate)
        run = attacks.Run(stack=stack, site=site, race_clients=args.race_clients)
        try:
            attacks.setup(run)
        except Exception as exc:
            print(f"SETUP FAILED: {exc}", flush=True)
            traceback.print_exc()
            results.append(_result("setup", "shared setup", "setup", "error", str(exc), 0))
            return _finish(stack, results, started)
        for ident in ORDER:
            if ident == "<j4-traffic>":
                if not only or "J4" in only:
                    _step(run, attacks.j4_traffic)
                continue
            if only and ident not in only:
                continue
            title, group, fn = registry[ident]
            t0 = time.monotonic()
            try:
                finding = fn(run)
                outcome, reason, details = ("held" if finding.held else "failed"), finding.reason, finding.details
            except attacks.AttackError as exc:
                outcome, reason, details = "error", f"attack could not run: {exc}", {}
            except Exception as exc:
                outcome, reason, details = "error", f"attack crashed: {type(exc).__name__}: {exc}", {}
                traceback.print_exc()
            result = _result(ident, title, group, outcome, reason, time.monotonic() - t0, details)
            results.append(result)
            label = {"held": "HELD  ", "failed": "FAILED", "error": "ERROR "}[outcome]
            print(f"{label} {ident:5} {title}\n       {reason}", flush=True)
        return _finish(stack, results, started)
    finally:
        stack.stop()


def _step(run, fn):
    try:
        fn(run)
    except Exception as exc:
        print(f"(J4 traffic step failed: {type(exc).__name__}: {exc})", flush=True)
        traceback.print_exc()


def _result(ident, title, group, outcome, reason, seconds, details=None):
    return {
        "id": ident,
        "title": title,
        "group": group,
        "outcome": outcome,
        "reason": reason,
        "seconds": round(seconds, 1),
        "details": details or {},
    }


def _finish(stack, results, started):
    tried = len(results)
    held = sum(r["outcome"] == "held" for r in results)
    errors = sum(r["outcome"] == "error" for r in results)
    failed = tried - held
    elapsed = time.monotonic() - started
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    report = {
        "tried": tried,
        "held": held,
        "failed": failed,
        "errors": errors,
        "seconds": round(elapsed, 1),
        "stack": {"base_url": stack.base_url, "timings": stack.timings, "gunicorn_conf": stack.gunicorn_conf_module},
        "code": commit,
        "results": results,
    }
    path = stack.run_dir / "report.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print(
        f"\ntried {tried}, held {held}, failed {failed}"
        + (f" ({errors} could not run)" if errors else "")
        + f" — {elapsed:.0f} s; report: {os.path.relpath(path, ROOT)}",
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
