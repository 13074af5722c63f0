"""`make bench`: every figure of issue 17 against a private PostgreSQL, as ratios to floors measured in the same run.

For each data shape (practitioners x appointments) a fresh database is cloned from a migrated
template and filled (bench/seed.py); then each page is requested in process through Django's
test Client and the whole middleware stack (bench/pages.py), then the floors, content pages and
time picker again over HTTP from gunicorn run with the site's config (bench/over_http.py). Mail
is sent to a real SMTP sink on loopback (bench/mail.py). Prints a summary, writes
bench/results/<time>.json and latest.json, and rewrites the figures section of docs/PERFORMANCE.md.

Environment:
  BENCH_SIZES          appointments per shape, comma-separated (default 2000,20000,200000)
  BENCH_PRACTITIONERS  practitioners per shape, comma-separated (default 5,50)
  BENCH_REPEAT         requests per page after 3 warm-up ones (default 30)
  BENCH_FLOWS          whole bookings per shape (default 8)
  BENCH_EMAILS         emails per mail measure (default 1000)
  BENCH_ONLY           "pages" (in process and on gunicorn) or "mail" to run only that part
  BENCH_HTTP=0         leave out the measures on gunicorn
  BENCH_NO_DOCS=1      do not touch docs/PERFORMANCE.md
"""

import datetime
import json
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR = Path(tempfile.mkdtemp(prefix="clinic-bench-"))


def env_list(name, default):
    return [int(x) for x in os.environ.get(name, default).split(",") if x.strip()]


SIZES = env_list("BENCH_SIZES", "2000,20000,200000")
PRACTITIONERS = env_list("BENCH_PRACTITIONERS", "5,50")
REPEAT = int(os.environ.get("BENCH_REPEAT", "30"))
FLOWS = int(os.environ.get("BENCH_FLOWS", "8"))
EMAILS = int(os.environ.get("BENCH_EMAILS", "1000"))
ONLY = os.environ.get("BENCH_ONLY", "")  # "pages" or "mail": run only that part
HTTP = os.environ.get("BENCH_HTTP", "1") != "0"  # the pages again on gunicorn, over HTTP


def main():
    from bench.postgres import admin, postgres, url

    started = datetime.datetime.now(datetime.UTC)
    with postgres(VAR / "pg") as proc:
        admin(proc, "CREATE DATABASE bench_template")
        os.environ.update(
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            VAR_DIR=str(VAR),
            STATIC_ROOT=str(VAR / "static"),
            DATABASE_URL=url(proc, "bench_template"),
            OUTBOX_USE_CELERY="false",
            DJANGO_SETTINGS_MODULE="bench.settings",
        )
        import django

        django.setup()
        import logging

        for name in ("mail.log", "clinic", "django.request", "celery", "axes"):
            logging.getLogger(name).setLevel(logging.ERROR)

        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection, connections

        from bench import mail, over_http, pages, seed

        settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        seed.load_demo_schedule()
        # The public sees signed-off pages only (treatments.review); a demo sign-off does not count with DEBUG off.
        from tests.review_fixtures import sign_off_all_content

        sign_off_all_content()
        connections.close_all()

        def use(dbname):
            connections.close_all()
            admin(proc, f"CREATE DATABASE {dbname} TEMPLATE bench_template")
            connection.settings_dict["NAME"] = dbname

        results = {
            "started": started.isoformat(timespec="seconds"),
            "database": "PostgreSQL",
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "repeat": REPEAT,
            "http_server": over_http.SERVER,
            "shapes": {},
        }
        for practitioners in PRACTITIONERS if ONLY != "mail" else ():
            for size in SIZES:
                name = f"{practitioners} practitioners, {size:,} appointments"
                dbname = f"bench_{practitioners}_{size}"
                use(dbname)
                t = time.perf_counter()
                made = seed.load(practitioners_count=practitioners, appointments=size, now=started)
                seed.settle()
                print(f"\n== {name}: seeded in {time.perf_counter() - t:.0f} s {made}", flush=True)
                shape = {"seeded": made}
                shape.update(pages.floors(REPEAT))
                shape.update(pages.content(REPEAT))
                shape.update(pages.picker(REPEAT))
                shape.update(pages.staff(REPEAT))
                if HTTP:  # before the bookings below take free times: the same data as the in-process picker
                    log = VAR / f"gunicorn-{dbname}.log"
                    shape["http"] = over_http.run(db_url=url(proc, dbname), repeat=REPEAT, log=log)
                shape["booking"] = pages.booking(FLOWS)
                results["shapes"][name] = shape
                print_shape(shape)
        if ONLY != "pages":
            use("bench_mail")
            results["mail"] = {
                # The bare loop straight after cron, so the two compared figures share the machine's load.
                "send_due_mail (cron)": mail.cron(EMAILS),
                **{f"bare smtplib, {k}": v for k, v in mail.bare(EMAILS).items()},
                **{
                    f"Celery worker (-c 2), {k}": v
                    for k, v in mail.worker(EMAILS, folder=VAR, db_url=url(proc, "bench_mail")).items()
                },
            }
            print("\n== mail")
            for key, value in results["mail"].items():
                print(f"  {key:52s} {value['per_s']:8.1f} emails/s")
        connections.close_all()
    results["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = started.strftime("%Y%m%dT%H%M%S")
    for path in (out / f"{stamp}.json", out / "latest.json"):
        path.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {out / (stamp + '.json')}")
    if not os.environ.get("BENCH_NO_DOCS"):
        from bench.report import write

        write(results, ROOT / "docs" / "PERFORMANCE.md")
        print("updated docs/PERFORMANCE.md")


def print_shape(shape):
    trivial = shape["trivial view"]["median_ms"]
    static = shape["static file"]["median_ms"]
    for key, value in shape.items():
        if key in ("seeded", "http"):
            continue
        if key == "booking":
            for step, v in value.items():
                ratio = v["median_ms"] / trivial
                print(f"  booking {step:36s} {v['median_ms']:8.2f} ms  {v['queries']:3d} q  ×{ratio:5.1f}")
            continue
        print(
            f"  {key:45s} {value['median_ms']:8.2f} ms ({value['p10_ms']:.2f}–{value['p90_ms']:.2f})"
            f" {value['queries']:3d} q  ×{value['median_ms'] / trivial:5.1f} trivial"
            f"  ×{value['median_ms'] / static:5.1f} static"
        )
    if "http" in shape:
        served = shape["http"]
        trivial = served["trivial view"]["median_ms"]
        static = served["static file"]["median_ms"]
        print("  -- on gunicorn (HTTP, one connection)")
        for key, value in served.items():
            print(
                f"  {key:45s} {value['median_ms']:8.2f} ms ({value['p10_ms']:.2f}–{value['p90_ms']:.2f})"
                f" {value['connections']:3d} new conn.  ×{value['median_ms'] / trivial:5.1f} trivial"
                f"  ×{value['median_ms'] / static:5.1f} static"
            )


if __name__ == "__main__":
    main()
