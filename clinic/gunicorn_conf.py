"""gunicorn's settings for the site: `gunicorn -c python:clinic.gunicorn_conf clinic.wsgi`.

The access log is for operations, not a copy of what patients and staff typed: it keeps the
method, the path (tokens redacted), status, size and time, and never the query string (staff
searches hold names and addresses), the referrer or the user agent.
"""

import os

from gunicorn.glogging import Logger

from clinic.lib.log_redaction import RedactTokens, redact

# Command-line flags and GUNICORN_CMD_ARGS override these (gunicorn's own rules).
bind = "0.0.0.0:8000"
workers = 2
threads = 4
accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
logger_class = "clinic.gunicorn_conf.RedactingLogger"
# Gives a slow client no more than this to send a request (the proxy in front should cap bodies too).
timeout = 30
# gunicorn 27's control socket sits at one fixed path per user: two servers on a machine would fight over it.
control_socket_disable = True


if os.environ.get("LOG_FORMAT") == "json":
    # gunicorn's own lines (start, workers, access) as the site's JSON lines, one object each.
    logconfig_dict = {
        "formatters": {"json": {"()": "clinic.lib.log_context.JsonFormatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["error_console"], "level": "INFO", "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }


class RedactingLogger(Logger):
    """gunicorn's logger with paths redacted and query strings, referrers and headers dropped from every atom.

    Whatever access_log_format a deployment chooses, no atom it can name holds a token or what
    a person typed; error lines (which name the request path) go through the site's log filter.
    """

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            log.addFilter(RedactTokens())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        path = redact(environ.get("PATH_INFO", ""))
        atoms.update(U=path, q="", f="-", a="-", r=f"{atoms['m']} {path} {atoms['H']}")
        # Request and response headers and the WSGI environ carry cookies, referrers and raw URIs.
        return {key: value for key, value in atoms.items() if not key.startswith("{")}
