"""ZStack management-node simulator for the zstack.cloud collection's tests.

Stdlib only (http.server, threads): it runs anywhere ansible-core runs, with no dependency to install.

It answers the part of the ZStack REST API the collection uses (log in/out, sessions, access keys,
VM queries, RequestConsoleAccess and its async job) with the wire behaviour of ZStack's RestServer,
writes websockify token files like ZStack's console proxy agent, and injects faults on demand.
See README.md next to this file for the options and the admin API, and docs/zstack-api-notes.md for the
ZStack behaviours it reproduces, each with the ZStack source file that shows it.

Run it:  python zstack_simulator.py --seed seed.json --port 0 --port-file /tmp/sim.port
Embed it: with Simulator("seed.json", job_delay=0.05) as sim: requests.get(sim.base_url + ...)
"""

from __future__ import annotations

import argparse
import collections
import copy
import dataclasses
import datetime
import email.utils
import hashlib
import hmac
import http.server
import ipaddress
import json
import logging
import os
import re
import signal
import socket
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
import zoneinfo
from base64 import b64encode

LOG = logging.getLogger("zstack_simulator")

CONTEXT_PATH = "/zstack"
API_PREFIX = CONTEXT_PATH + "/v1"
ADMIN_PREFIX = "/_sim"

# The node's version, as APIGetVersionMsg answers it: DatabaseFacadeImpl.getDbVersion, the highest version in the
# schema_version table, which each release branch of zstackio/zstack tops with its own number (3.10.38's newest
# schema file is V3.10.38__schema.sql, 4.8.18's V4.8.18). The default is the version of the source the simulator
# was written from (zstackio/zstack 5a29293, newest schema V5.2.1): every default behaviour here is that tree's.
DEFAULT_ZSTACK_VERSION = "5.2.1"
# The first version that has each behaviour, from zstackio/zstack's release branches (docs/zstack-api-notes.md,
# "Versions"): a version compares as a tuple of numbers.
RELEASE_FEATURES = {
    # ConsoleInventory.targetScheme (header/src/main/java/org/zstack/header/console/ConsoleInventory.java; absent in 4.0.x)
    "target_scheme": (4, 1, 0),
    # ConsoleInventory.version and ConsoleProxyBase.doEstablishDirectConsoleConnection (commit 10fe0b9f56, V4.3.12 schema)
    "console_version": (4, 3, 12),
    "direct_console": (4, 3, 12),
    # ZQL.g4's STRING accepts '' inside '...' (search/src/main/antlr4/ZQL.g4; 3.10.x: '\'' (~'\'')* '\'' only)
    "zql_doubled_quote": (4, 0, 0),
    # QueryFacadeImpl.toZQLConditionString escapes ' as \' and \ as \\ (commit e66c4fdc57; branches 4.6.31, 4.7.0 on)
    "zql_escape": (4, 6, 31),
    # ConsoleInventory.expiredDate, and the token is ZStack's "<session>_<vm>"; before, the console proxy agent
    # named the token "<session>_<vm>_<expiry>" and ConsoleProxyBase took it from its reply (commit a24fe80241)
    "console_expiry": (5, 0, 0),
}
VERSION_RE = re.compile(r"\d+(?:\.\d+){1,3}")

# ConsoleApiInterceptor.consoleAvailableStates, in its order (the error message prints the list).
CONSOLE_STATES = ("Running", "Crashed", "VolumeRecovering", "Paused", "NoState")
# PortalSystemTags.VALIDATION_ONLY = new EphemeralSystemTag("validationOnly"): its format is "ephemeral::validationOnly"
# and ApiMediatorImpl.dispatchMessage tests it with an exact List.contains; a bare "validationOnly" is ignored.
VALIDATION_ONLY_TAG = "ephemeral::validationOnly"
VM_INVENTORY_CLASS = "org.zstack.header.vm.VmInstanceInventory"
# ApiMessageParamValidator formats its own class name into the "is mandatory" message (a ZStack quirk).
PARAM_VALIDATOR_CLASS = "org.zstack.header.message.ApiMessageParamValidator"
REQUEST_SKEW_SECONDS = 15 * 60          # RestConstants.REQUEST_DURATION_MINUTES
MAX_BODY_BYTES = 8 * 1024 * 1024
TOKEN_RE = re.compile(r"[0-9A-Za-z][0-9A-Za-z_.-]*")  # also "<session>_<vm>_<expiry>" before 5.0

# RestServer.QUERY_OP_MAPPING: the order matters (an operator contained in another comes later).
QUERY_OPS = (
    ("!=", "!="), (">=", ">="), ("<=", "<="), ("!?=", "not in"), ("!~=", "not like"), ("~=", "like"),
    ("?=", "in"), ("=", "="), (">", ">"), ("<", "<"), ("is null", "is null"), ("not null", "is not null"),
)

ERROR_DESCRIPTIONS = {
    "SYS.1000": "An internal error happened in system",
    "SYS.1001": "A message or a operation timeout",
    "SYS.1003": "A resource can not be found",
    "SYS.1006": "An operation failed",
    "SYS.1007": "One or more API argument is invalid",
    "SYS.1010": "Management server is not ready to serve",
    "SYS.1012": "The management node is unavailable",
    "ID.1000": "Unable to authenticate a user",
    "ID.1001": "The session is invalid, either wrong session id or the session has been expired",
    "ID.1002": "The user doesn't have permission to perform the operation",
    "ID.1006": "Max number of active sessions exceeded",
    "VM.1010": "VM is not in state that allows required operation",
}

# VmInstanceInventory fields in declaration order (gson writes them in this order, nulls left out).
VM_FIELDS = (
    "uuid", "name", "description", "zoneUuid", "clusterUuid", "imageUuid", "hostUuid", "lastHostUuid",
    "instanceOfferingUuid", "rootVolumeUuid", "platform", "architecture", "defaultL3NetworkUuid", "type",
    "hypervisorType", "memorySize", "cpuNum", "cpuSpeed", "allocatorStrategy", "createDate", "lastOpDate",
    "state", "vmNics", "allVolumes", "vmCdRoms",
)
VM_NUMERIC_FIELDS = frozenset(("memorySize", "cpuNum", "cpuSpeed"))
VM_DATE_FIELDS = frozenset(("createDate", "lastOpDate"))
VM_LIST_FIELDS = ("vmNics", "allVolumes", "vmCdRoms")

# Short zone names as RestServer's "z" parser resolves them (OpenJDK 17, Locale.ENGLISH): each names a region,
# whose offset on that date applies ("CST" is US Central, not China; "CDT" in winter is still -06:00).
ZONE_ABBREVIATIONS = {
    "EST": "America/New_York", "EDT": "America/New_York", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MST": "America/Denver", "MDT": "America/Denver", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "CET": "Europe/Paris", "CEST": "Europe/Paris", "JST": "Asia/Tokyo", "HKT": "Asia/Hong_Kong",
    "SGT": "Asia/Singapore", "KST": "Asia/Seoul",
}  # left out: names JDKs resolve differently (OpenJDK 17 reads "BST" as Pacific/Bougainville, "IST" as Africa/Abidjan)
MAX_OFFSET_SECONDS = 18 * 3600  # java.time.ZoneOffset's range
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DATE_STYLES = ("jdk8", "cldr", "cldr-nnbsp", "epoch-ms")


# --------------------------------------------------------------------------------------------------
# Small helpers, also handy for tests and clients
# --------------------------------------------------------------------------------------------------

def new_uuid():
    """A ZStack UUID: 32 lowercase hex characters, no dashes."""
    return uuid.uuid4().hex


def password_hash(plaintext):
    """The SHA-512 hex digest ZStack stores and compares for account and user passwords."""
    return hashlib.sha512(plaintext.encode("utf-8")).hexdigest()


def access_key_signature(secret, method, date, path):
    """base64(HMAC-SHA1(secret, METHOD\\nDate\\n/v1/<path>)), as ZSClient.calculateAccessKeySignature."""
    message = "%s\n%s\n%s" % (method, date, path)
    digest = hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).digest()
    return b64encode(digest).decode("ascii")


def rfc1123_date(timestamp=None):
    """An RFC 1123 date in GMT, e.g. 'Sat, 28 Nov 2026 16:00:00 GMT'."""
    return email.utils.formatdate(timestamp, usegmt=True)


def java_date(timestamp, zone, style="jdk8"):
    """Format a timestamp the way gson's default Date adapter does on the management node.

    ZStack's gson instances set no date format, so java.sql.Timestamp fields are written with
    DateFormat.getDateTimeInstance(DEFAULT, DEFAULT, Locale.US) in the JVM's time zone (``zone``: a tzinfo, minutes
    east of UTC, or None for this process's local zone), without the zone: on Java 8 (ZStack's target)
    'Nov 28, 2026 4:51:20 PM'. Newer JDKs (CLDR data) add a comma after the year ('cldr') and, from
    JDK 20, a narrow no-break space before AM/PM.
    """
    if style == "epoch-ms":
        return int(round(timestamp * 1000))
    moment = node_now(fixed_zone(zone) if isinstance(zone, int) else zone, timestamp)
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    year_sep = ", " if style in ("cldr", "cldr-nnbsp") else " "
    half_sep = "\u202f" if style == "cldr-nnbsp" else " "
    date_part = "%s %d, %d" % (MONTHS[moment.month - 1], moment.day, moment.year)
    return "%s%s%d:%02d:%02d%s%s" % (date_part, year_sep, hour, moment.minute, moment.second, half_sep, half)


def node_now(zone, timestamp=None):
    """The node's wall-clock time (naive) at ``timestamp`` (default: now) in ``zone`` (None: the local zone)."""
    timestamp = time.time() if timestamp is None else timestamp
    if zone is None:
        return datetime.datetime.fromtimestamp(timestamp)
    return datetime.datetime.fromtimestamp(timestamp, zone).replace(tzinfo=None)


def parse_node_timezone(value):
    """--timezone: an IANA name (Asia/Shanghai), UTC, or a fixed offset (+08:00, -0530, +8) -> tzinfo."""
    text = str(value).strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return datetime.timezone.utc
    match = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", text, re.I)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        if int(match.group(3) or 0) >= 60 or minutes > 14 * 60:
            raise ValueError("timezone offset out of range: %r" % value)
        return fixed_zone(-minutes if match.group(1) == "-" else minutes)
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError("timezone must be an IANA name, UTC or an offset like +08:00, got %r" % value) from exc


def fixed_zone(minutes):
    return datetime.timezone(datetime.timedelta(minutes=minutes))


def strip_nulls(value):
    """Drop None values from objects, recursively, as gson does without serializeNulls()."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


_GSON_HTML_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("=", "\\u003d"), ("'", "\\u0027"))


def gson_dumps(value, html_safe=True):
    """Compact JSON like gson: nulls dropped, non-ASCII kept, HTML characters escaped unless disabled.

    RestServer writes job results and successful replies with CloudBusGson (HTML escaping on) and
    synchronous error replies with JSONObjectUtil (disableHtmlEscaping). These characters only occur
    inside JSON strings, so replacing them in the text is safe.
    """
    text = json.dumps(strip_nulls(value), ensure_ascii=False, separators=(",", ":"))
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    if html_safe:
        for char, escaped in _GSON_HTML_ESCAPES:
            text = text.replace(char, escaped)
    return text


def python2_str_float(value):
    """Python 2's str(float): 12 significant digits, '.0' kept for a whole number (the console proxy agent's
    token suffix; which Python an agent runs is not in the source, Python 2 is what ZStack 3.x and 4.x ship)."""
    text = "%.12g" % value
    return text if ("." in text or "e" in text) else text + ".0"


def java_hash_map(values):
    """A dict in the iteration order of a java.util.HashMap with these keys (gson writes a HashMap in that order)."""
    return {key: values[key] for key in java_hash_set_order(list(values))}


def java_list(items):
    """Java's List.toString()."""
    return "[%s]" % ", ".join(str(item) for item in items)


# --------------------------------------------------------------------------------------------------
# Errors and replies
# --------------------------------------------------------------------------------------------------

class HttpError(Exception):
    """A transport-level failure that RestServer answers as plain text (400/401/403/404/405/500)."""

    def __init__(self, status, text):
        super().__init__(text)
        self.status = status
        self.text = text


class ApiError(Exception):
    """A ZStack ErrorCode; answered as HTTP 503 {"error": {...}} (synchronously or as a job result)."""

    def __init__(self, code, details, cause=None, description=None, elaboration=None, opaque=None):
        super().__init__("%s: %s" % (code, details))
        self.code = code
        self.details = details
        self.cause = cause
        self.description = description
        self.elaboration = elaboration
        self.opaque = opaque

    def to_dict(self):
        return error_dict(self.code, self.details, cause=self.cause, description=self.description,
                          elaboration=self.elaboration, opaque=self.opaque)


def error_dict(code, details=None, cause=None, description=None, elaboration=None, opaque=None):
    """An ErrorCode as ZStack serializes it; absent (null) fields are left out, as gson does."""
    if isinstance(cause, ApiError):
        cause = cause.to_dict()
    elif isinstance(cause, str):
        cause = error_dict(cause)
    elif isinstance(cause, dict):
        cause = error_dict(cause.get("code", "SYS.1000"), cause.get("details"), cause.get("cause"),
                           cause.get("description"), cause.get("elaboration"), cause.get("opaque"))
    return strip_nulls({
        "code": code,
        "description": description or ERROR_DESCRIPTIONS.get(code, "An error happened"),
        "details": details,
        "elaboration": elaboration,
        "opaque": opaque,
        "cause": cause,
    })


@dataclasses.dataclass
class Reply:
    """What the HTTP layer sends back. No content type for API replies: the real server sets none."""

    status: int
    body: bytes = b""
    content_type: str | None = None

    @classmethod
    def text(cls, status, text):
        return cls(status, text.encode("utf-8"))

    @classmethod
    def api(cls, status, value, html_safe=True):
        return cls(status, gson_dumps(value, html_safe).encode("utf-8"))

    @classmethod
    def admin(cls, status, value):
        return cls(status, json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8"), "application/json")


DROP = object()  # sentinel: close the connection without answering


# --------------------------------------------------------------------------------------------------
# Model
# --------------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Account:
    uuid: str
    name: str
    password_hash: str
    admin: bool = False


@dataclasses.dataclass
class User:
    uuid: str
    name: str
    account_uuid: str
    password_hash: str


@dataclasses.dataclass
class AccessKey:
    key_id: str
    secret: str
    account_uuid: str
    user_uuid: str


CONSOLE_PROTOCOLS = ("vnc", "spice", "vncAndSpice")


@dataclasses.dataclass
class Vm:
    """A VM. Its graphics are what libvirt gave it: a VNC port, SPICE ports, or both (console_protocol as kvmagent's
    get_vdi_connect_port names it). direct_console_url marks a VM whose hypervisor backend answers a URL to connect
    to directly (ConsoleUrl.needConsoleProxy false; no open-source backend does, VMware's is closed source)."""

    uuid: str
    name: str
    state: str
    owner_uuid: str
    host_uuid: str | None = None
    last_host_uuid: str | None = None
    vnc_port: int | None = None
    spice_port: int | None = None
    spice_tls_port: int | None = None
    console_protocol: str = "vnc"
    direct_console_url: str | None = None
    direct_console_version: str | None = None
    extra: dict = dataclasses.field(default_factory=dict)

    @property
    def console_port(self):
        """kvmagent's /vm/getvncport answers the VNC port, else the SPICE port (zstackio/zstack-utility:
        kvmagent/kvmagent/plugins/vm_plugin.py, get_console_port): the port the console proxy forwards to."""
        return self.vnc_port if self.vnc_port is not None else self.spice_port


@dataclasses.dataclass
class Session:
    uuid: str
    account_uuid: str
    user_uuid: str
    created: float
    last_used: float
    expires: float
    access_key_id: str | None = None


@dataclasses.dataclass
class Console:
    """A ConsoleProxyVO: one live console per VM, whatever session asked for it. prefix is "<session>_<vm>";
    the token is the prefix, or before 5.0 the console proxy agent's "<prefix>_<expiry>"."""

    prefix: str
    token: str
    session_uuid: str
    vm_uuid: str
    created: float
    expires: float
    vnc_host: str
    vnc_port: int
    system_tags: list = dataclasses.field(default_factory=list)
    user_tags: list = dataclasses.field(default_factory=list)
    token_file: str | None = None
    stale: bool = False  # before 5.0: the token expired, the ConsoleProxyVO stays


@dataclasses.dataclass
class Job:
    """An async API job (AsyncRestVO)."""

    uuid: str
    created: float
    due: float | None
    session_uuid: str | None = None
    vm_uuid: str | None = None
    system_tags: list = dataclasses.field(default_factory=list)
    user_tags: list = dataclasses.field(default_factory=list)
    error: dict | None = None
    validation_only: bool = False
    hidden: bool = False
    done: bool = False
    status: int = 202
    body: dict | None = None
    expires: float | None = None


@dataclasses.dataclass
class Principal:
    """Who a request authenticates as, before the session check (which ZStack does later)."""

    session_uuid: str | None = None
    access_key_id: str | None = None


FAULT_KEYS = ("id", "method", "path", "times", "status", "body", "error", "latency_ms", "drop", "malformed",
              "job_delay", "job_never_finishes", "job_expired", "expire_session")


@dataclasses.dataclass
class FaultRule:
    """A fault injection rule; see README.md for the semantics of each action."""

    method: str = "*"
    path: str = ".*"
    times: int | None = None
    status: int | None = None
    body: object = None
    error: object = None
    latency_ms: float = 0
    drop: bool = False
    malformed: object = False
    job_delay: float | None = None
    job_never_finishes: bool = False
    job_expired: bool = False
    expire_session: bool = False
    id: str = ""
    hits: int = 0

    def __post_init__(self):
        self._regex = re.compile(self.path)
        if not self.id:
            self.id = new_uuid()[:12]

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict):
            raise ValueError("a fault rule must be a JSON object, got %r" % (data,))
        unknown = sorted(set(data) - set(FAULT_KEYS))
        if unknown:
            raise ValueError("unknown fault rule key(s): %s (known: %s)" % (", ".join(unknown), ", ".join(FAULT_KEYS)))
        rule_data = dict(data)
        methods = rule_data.get("method", "*")
        if isinstance(methods, list):
            methods = ",".join(methods)
        rule_data["method"] = str(methods).upper()
        times = rule_data.get("times")
        if times is not None and (not isinstance(times, int) or times < 0):
            raise ValueError("'times' must be a non-negative integer or null")
        status = rule_data.get("status")
        if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
            raise ValueError("'status' must be an HTTP status code")
        error = rule_data.get("error")
        if error is not None and not isinstance(error, (str, dict)):
            raise ValueError("'error' must be an error code string or an object")
        for key in ("latency_ms", "job_delay"):
            value = rule_data.get(key)
            if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0):
                raise ValueError("'%s' must be a non-negative number" % key)
        if rule_data.get("latency_ms") is None:
            rule_data["latency_ms"] = 0
        try:
            return cls(**rule_data)
        except re.error as exc:
            raise ValueError("bad 'path' regex: %s" % exc) from exc

    def matches(self, method, path):
        if self.times is not None and self.hits >= self.times:
            return False
        if self.method not in ("*", "") and method.upper() not in self.method.split(","):
            return False
        return self._regex.search(path) is not None

    def status_reply(self):
        if self.body is None:
            return Reply(self.status, b"")
        if isinstance(self.body, str):
            return Reply.text(self.status, self.body)
        return Reply.api(self.status, self.body, html_safe=False)

    def error_reply(self):
        spec = {"code": self.error, "details": "injected fault: %s" % self.error} if isinstance(self.error, str) else dict(self.error)
        err = error_dict(spec.get("code", "SYS.1000"), spec.get("details", "injected fault"), spec.get("cause"),
                         spec.get("description"), spec.get("elaboration"), spec.get("opaque"))
        return Reply.api(503, {"error": err}, html_safe=False)

    def to_dict(self):
        data = {key: getattr(self, key) for key in FAULT_KEYS}
        data["hits"] = self.hits
        data["remaining"] = None if self.times is None else max(0, self.times - self.hits)
        return data


@dataclasses.dataclass
class Config:
    """Simulator options. Those in RUNTIME_KEYS can be changed while running (POST /_sim/config)."""

    job_delay: float = 0.1
    job_ttl: float = 300.0
    session_timeout: float = 7200.0
    max_sessions: int = 500
    token_lifetime: float = 1800.0
    latency_ms: float = 0
    advertise_host: str = "127.0.0.2"
    advertise_port: int = 8080
    console_hostname: str | None = None
    console_port: int | None = None
    console_scheme: str | None = None
    console_target_scheme: str | None = None
    zstack_version: str | None = None
    unique_session: bool = False
    session_cleanup_interval: float = 3600.0
    api_timeout_ms: int = 1800000
    check_time_zone: bool = False
    timezone: str | None = None
    tz_offset_minutes: int | None = None
    date_style: str = "jdk8"
    access_key_failure_status: int = 401
    case_insensitive_query: bool = True
    token_dir: str | None = None
    tls_cert: str | None = None
    tls_key: str | None = None
    faults: list = dataclasses.field(default_factory=list)
    connection_idle_timeout: float = 60.0

    RUNTIME_KEYS = ("job_delay", "job_ttl", "session_timeout", "max_sessions", "token_lifetime", "latency_ms",
                    "advertise_host", "advertise_port", "console_hostname", "console_port", "console_scheme",
                    "console_target_scheme", "zstack_version", "unique_session", "session_cleanup_interval",
                    "api_timeout_ms", "check_time_zone", "timezone", "tz_offset_minutes", "date_style",
                    "access_key_failure_status", "case_insensitive_query")

    def zone(self):
        """The node JVM's zone: a tzinfo, or None for this process's local zone. timezone and tz_offset_minutes
        are two spellings of it (an IANA name or offset; minutes east of UTC); at most one is set."""
        if self.timezone is not None:
            return parse_node_timezone(self.timezone)
        if self.tz_offset_minutes is not None:
            return fixed_zone(self.tz_offset_minutes)
        return None

    def validate(self):
        for key in ("job_delay", "job_ttl", "session_timeout", "token_lifetime", "latency_ms", "session_cleanup_interval"):
            value = getattr(self, key)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise ValueError("%s must be a non-negative number" % key)
        if self.session_cleanup_interval <= 0:
            raise ValueError("session_cleanup_interval must be more than 0 seconds")
        if not isinstance(self.zstack_version, str) or not VERSION_RE.fullmatch(self.zstack_version):
            raise ValueError("zstack_version must be a version such as 4.8.0 or 3.10.38, got %r" % (self.zstack_version,))
        if not isinstance(self.unique_session, bool):
            raise ValueError("unique_session must be true or false")
        if self.console_scheme != "http":
            # ManagementServerConsoleProxyBackend.getConsoleProxy sets scheme "http" for every proxied console; a
            # proxy with a certificate (websockify --cert) takes ws:// and wss:// alike and changes nothing here.
            raise ValueError("console_scheme must be 'http': ZStack's console proxy backend answers http always, "
                             "with or without a certificate on the proxy, got %r" % (self.console_scheme,))
        for key in ("max_sessions", "advertise_port", "console_port", "api_timeout_ms", "access_key_failure_status"):
            value = getattr(self, key)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
                raise ValueError("%s must be a non-negative integer" % key)
        if self.timezone is not None and self.tz_offset_minutes is not None:
            raise ValueError("give timezone or tz_offset_minutes, not both")
        if self.tz_offset_minutes is not None and (not isinstance(self.tz_offset_minutes, int)
                                                   or isinstance(self.tz_offset_minutes, bool)
                                                   or abs(self.tz_offset_minutes) > 14 * 60):
            raise ValueError("tz_offset_minutes must be an integer from -840 to 840")
        self.zone()  # a timezone that cannot be read fails here
        if self.date_style not in DATE_STYLES:
            raise ValueError("date_style must be one of %s" % ", ".join(DATE_STYLES))
        if not is_loopback(self.advertise_host):
            raise ValueError("advertise_host must be a loopback address (got %r)" % self.advertise_host)
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("tls_cert and tls_key go together")

    def public(self):
        data = {key: getattr(self, key) for key in self.RUNTIME_KEYS}
        data["token_dir"] = self.token_dir
        data["tls"] = bool(self.tls_cert)
        return data


def is_loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclasses.dataclass
class Route:
    method: str
    template: str
    handler: str

    def __post_init__(self):
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        self.regex = re.compile(pattern + r"\Z")


# Path templates use {uuid}; counters are keyed "METHOD template".
API_ROUTES = (
    Route("PUT", API_PREFIX + "/accounts/login", "api_login_account"),
    Route("PUT", API_PREFIX + "/accounts/users/login", "api_login_user"),
    Route("DELETE", API_PREFIX + "/accounts/sessions/{uuid}", "api_logout"),
    Route("GET", API_PREFIX + "/accounts/sessions/{uuid}/valid", "api_validate_session"),
    Route("GET", API_PREFIX + "/vm-instances", "api_query_vms"),
    Route("GET", API_PREFIX + "/vm-instances/{uuid}", "api_get_vm"),
    Route("GET", API_PREFIX + "/vm-instances/{uuid}/console-addresses", "api_console_address"),
    Route("PUT", API_PREFIX + "/management-nodes/actions", "api_management_node_action"),
    Route("POST", API_PREFIX + "/consoles", "api_request_console"),
    Route("GET", API_PREFIX + "/api-jobs/{uuid}", "api_poll_job"),
)

ADMIN_ROUTES = (
    Route("GET", ADMIN_PREFIX + "/health", "admin_health"),
    Route("GET", ADMIN_PREFIX + "/state", "admin_state"),
    Route("GET", ADMIN_PREFIX + "/config", "admin_get_config"),
    Route("POST", ADMIN_PREFIX + "/config", "admin_set_config"),
    Route("GET", ADMIN_PREFIX + "/faults", "admin_list_faults"),
    Route("POST", ADMIN_PREFIX + "/faults", "admin_add_faults"),
    Route("DELETE", ADMIN_PREFIX + "/faults", "admin_clear_faults"),
    Route("POST", ADMIN_PREFIX + "/reset", "admin_reset"),
    Route("POST", ADMIN_PREFIX + "/sessions/{uuid}/expire", "admin_expire_session"),
    Route("POST", ADMIN_PREFIX + "/sessions/sweep", "admin_sweep_sessions"),
    Route("DELETE", ADMIN_PREFIX + "/consoles/{token}", "admin_delete_console"),
    Route("POST", ADMIN_PREFIX + "/vms/{uuid}", "admin_update_vm"),
)


@dataclasses.dataclass
class Request:
    """One HTTP request as the simulator sees it."""

    method: str
    target: str
    headers: dict
    body: bytes = b""

    def __post_init__(self):
        parts = urllib.parse.urlsplit(self.target)
        self.raw_path = parts.path
        self.path = urllib.parse.unquote(parts.path)
        self.query_string = parts.query

    def header(self, name):
        return self.headers.get(name)


@dataclasses.dataclass
class Query:
    conditions: list = dataclasses.field(default_factory=list)
    limit: int = 1000
    start: int | None = None  # APIQueryMessage.start: null unless given
    count: bool = False
    reply_with_count: bool = False
    sort_by: str | None = None
    sort_desc: bool = False
    fields: list | None = None


# --------------------------------------------------------------------------------------------------
# Seed
# --------------------------------------------------------------------------------------------------

def load_seed(seed):
    """A seed dict, or the path of a JSON seed file."""
    if isinstance(seed, dict):
        return copy.deepcopy(seed)
    with open(seed, encoding="utf-8") as handle:
        return json.load(handle)


def parse_seed_date(value):
    """Seed dates are ISO 8601 strings or epoch seconds."""
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    return datetime.datetime.fromisoformat(str(value).replace("Z", "+00:00")).timestamp()


# Seed and admin keys of a VM's console, which are not inventory fields -> Vm attributes.
VM_SIMULATED_FIELDS = {"vncPort": "vnc_port", "spicePort": "spice_port", "spiceTlsPort": "spice_tls_port",
                       "consoleProtocol": "console_protocol", "directConsoleUrl": "direct_console_url",
                       "directConsoleVersion": "direct_console_version"}


def set_vm_console(vm, fields):
    """Apply the console keys of VM_SIMULATED_FIELDS found in fields (a seed item or an admin update) to vm."""
    for key, attribute in VM_SIMULATED_FIELDS.items():
        if key in fields:
            setattr(vm, attribute, fields[key])
    if vm.console_protocol not in CONSOLE_PROTOCOLS:
        raise ValueError("consoleProtocol must be one of %s, got %r" % (", ".join(CONSOLE_PROTOCOLS), vm.console_protocol))
    if vm.direct_console_url is not None and not isinstance(vm.direct_console_url, str):
        raise ValueError("directConsoleUrl must be a URL string or null")


class World:
    """Everything the seed defines, indexed; rebuilt on reset."""

    def __init__(self, seed):
        self.accounts = {}
        self.users = {}
        self.access_keys = {}
        self.hosts = {}
        self.vms = {}
        account_by_name = {}
        for item in seed.get("accounts", []):
            account = Account(uuid=item.get("uuid") or new_uuid(), name=item["name"],
                              password_hash=item.get("passwordSha512") or password_hash(item["password"]),
                              admin=item.get("type") == "SystemAdmin" or bool(item.get("admin")))
            self.accounts[account.uuid] = account
            account_by_name[account.name] = account
        user_by_name = {}
        for item in seed.get("users", []):
            owner = account_by_name[item["account"]]
            user = User(uuid=item.get("uuid") or new_uuid(), name=item["name"], account_uuid=owner.uuid,
                        password_hash=item.get("passwordSha512") or password_hash(item["password"]))
            self.users[user.uuid] = user
            user_by_name[(owner.uuid, user.name)] = user
        for item in seed.get("accessKeys", []):
            owner = account_by_name[item["account"]]
            user_uuid = user_by_name[(owner.uuid, item["user"])].uuid if item.get("user") else owner.uuid
            self.access_keys[item["id"]] = AccessKey(item["id"], item["secret"], owner.uuid, user_uuid)
        for item in seed.get("hosts", []):
            self.hosts[item["uuid"]] = dict(item)
        admin = next((a for a in self.accounts.values() if a.admin), None)
        defaults = dict(seed.get("vmDefaults", {}))
        internal = {"uuid", "name", "state", "owner", "hostUuid", "lastHostUuid"} | set(VM_SIMULATED_FIELDS)
        for item in seed.get("vms", []):
            owner = account_by_name[item["owner"]] if item.get("owner") else admin
            extra = dict(defaults)
            extra.update({k: v for k, v in item.items() if k not in internal})
            vm = Vm(uuid=item["uuid"], name=item["name"], state=item["state"], owner_uuid=owner.uuid if owner else "",
                    host_uuid=item.get("hostUuid"), last_host_uuid=item.get("lastHostUuid") or item.get("hostUuid"),
                    extra=extra)
            set_vm_console(vm, item)
            self.vms[vm.uuid] = vm
        self.account_by_name = account_by_name
        self.user_by_name = user_by_name


# --------------------------------------------------------------------------------------------------
# Date header parsing (access keys)
# --------------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"([A-Za-z]{3}), (\d{2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (\S+)\Z")


def _java_offset(text):
    """OffsetIdPrinterParser("+HH:MM:ss"): a sign, two-digit hours, a colon, minutes, optionally :seconds."""
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})(?::(\d{2}))?", text)
    if not match:
        return None
    hours, minutes, seconds = int(match.group(2)), int(match.group(3)), int(match.group(4) or 0)
    total = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or total > MAX_OFFSET_SECONDS:
        return None
    return datetime.timezone(datetime.timedelta(seconds=-total if match.group(1) == "-" else total))


_REGION_IDS = {}


def _region_id(token):
    """A region id, case-insensitively as Java's parseCaseInsensitive prefix tree matches it. The tree holds
    only ids with display names: 'Etc/GMT-8' is not one (OpenJDK 17 stops after 'Etc/GMT' and fails)."""
    if not _REGION_IDS:
        _REGION_IDS.update({name.lower(): name for name in zoneinfo.available_timezones()
                            if not re.fullmatch(r"Etc/GMT[+-]\d+", name)})
    name = _REGION_IDS.get(token.lower())
    return zoneinfo.ZoneInfo(name) if name else None


def parse_zone(token):
    """The zone at the end of a Date header as RestServer's 'z' parser reads it, or None where Java fails.

    DateTimeFormatterBuilder's ZoneTextPrinterParser (checked with OpenJDK 17): a sign starts an offset that
    needs a colon ('+08:00', not '+0800' or '+8'); 'UTC', 'UT' and 'GMT' may be followed by such an offset
    ('GMT+08:00'), or by nothing ('GMT0' too); otherwise a region id ('Asia/Shanghai', any case), a short
    name, which names a region ('CST' is America/Chicago), or 'Z'.
    """
    upper = token.upper()
    if token[:1] in ("+", "-"):
        return _java_offset(token)
    prefix = next((p for p in ("UTC", "GMT", "UT") if upper.startswith(p)), None)
    if prefix is not None:
        rest = token[len(prefix):]
        if rest == "" or (prefix == "GMT" and rest == "0"):
            return datetime.timezone.utc
        return _java_offset(rest)
    if upper in ZONE_ABBREVIATIONS:
        return zoneinfo.ZoneInfo(ZONE_ABBREVIATIONS[upper])
    region = _region_id(token)
    if region is not None:
        return region
    return datetime.timezone.utc if upper == "Z" else None


def parse_request_date(text):
    """Parse 'EEE, dd MMM yyyy HH:mm:ss z' (case-insensitive, English) -> (naive datetime, tzinfo) or None.

    RestServer's formatter: parseCaseInsensitive().appendPattern("EEE, dd MMM yyyy HH:mm:ss z"), Locale.ENGLISH
    (zstackio/zstack: rest/src/main/java/org/zstack/rest/RestServer.java).
    """
    match = _DATE_RE.match(text.strip())
    if not match:
        return None
    weekday, day, month, year, hour, minute, second, zone = match.groups()
    months = [m.lower() for m in MONTHS]
    if month.lower() not in months:
        return None
    tzinfo = parse_zone(zone)
    if tzinfo is None:
        return None
    try:
        naive = datetime.datetime(int(year), months.index(month.lower()) + 1, int(day), int(hour), int(minute), int(second))
    except ValueError:
        return None
    if WEEKDAYS[naive.weekday()].lower() != weekday.lower():
        return None  # java.time rejects a day-of-week that contradicts the date
    return naive, tzinfo


def zoned_local(naive, zone):
    """ZonedDateTime.ofLocal: the wall-clock time in that zone; in a DST gap it moves on by the gap's length,
    in an overlap it takes the earlier offset (Python's fold=0 does both)."""
    return naive.replace(tzinfo=zone).astimezone(datetime.timezone.utc).astimezone(zone)


# --------------------------------------------------------------------------------------------------
# Query evaluation (GET /vm-instances)
# --------------------------------------------------------------------------------------------------

def like_to_regex(pattern, ignore_case):
    """SQL LIKE ('%', '_', backslash escapes) as a compiled regular expression."""
    out = []
    chars = iter(pattern)
    for char in chars:
        if char == "\\":
            out.append(re.escape(next(chars, "\\")))
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out) + r"\Z", re.S | (re.I if ignore_case else 0))


def parse_query(query_string):
    """The query parameters of a ZStack query API, validated like RestServer.handleQueryApi."""
    params = urllib.parse.parse_qs(query_string, keep_blank_values=True)
    query = Query()
    for name, values in params.items():
        name = name.strip()
        first = values[0].strip()
        if name == "limit":
            query.limit = _query_int(first, "limit")
        elif name == "start":
            query.start = _query_int(first, "start")
        elif name == "count":
            query.count = first.lower() == "true"
        elif name == "replyWithCount":
            query.reply_with_count = first.lower() == "true"
        elif name == "sort":
            query.sort_desc = first.startswith("-")
            query.sort_by = first.lstrip("+-")
        elif name == "fields":
            query.fields = [f.strip() for f in first.split(",")]
        elif "q".startswith(name):  # sic: RestServer tests "q".startsWith(name)
            query.conditions.extend(_parse_condition(cond) for cond in values)
    return query


def _query_int(value, name):
    try:
        return int(value)
    except ValueError:
        raise HttpError(400, "Invalid query parameter. '%s' must be an integer" % name) from None


def _parse_condition(cond):
    for delimiter, op in QUERY_OPS:
        if delimiter in cond:
            break
    else:
        raise HttpError(400, "Invalid query parameter. The '%s' in the parameter[q] doesn't contain any query operator. "
                             "Valid query operators are [%s]" % (cond, java_list(pair[0] for pair in QUERY_OPS)))
    parts = [p for p in cond.split(delimiter, 1) if p != ""]  # StringUtils.splitByWholeSeparator drops empty tokens
    if op in ("is null", "is not null"):
        return parts[0].strip() if parts else "", op, None
    if len(parts) != 2:
        raise HttpError(400, "Invalid query parameter. The '%s' in parameter[q] is not a key-value pair split by %s" % (cond, op))
    return parts[0].strip(), op, parts[1]


# --------------------------------------------------------------------------------------------------
# ZQL: the text a REST query becomes, and where ZStack's ZQL lexer and parser fail on it
# --------------------------------------------------------------------------------------------------
# RestServer.handleQueryApi makes an APIQueryMessage; QueryFacadeImpl.handle(APIQueryMessage) turns it into ZQL
# text (queryUseZQL, toZQLConditionString) and ZQL.getResultList lexes and parses it with the ANTLR 4.7 lexer and
# parser generated from search/src/main/antlr4/ZQL.g4, whose ThrowingErrorListener throws a
# ParseCancellationException at the first error. handle(APIQueryMessage) wraps it in a CloudRuntimeException, the
# @MessageSafe aspect turns that into SYS.1000 with the exception's message as details (MessageSafeAspect.aj,
# ErrorFacadeImpl.throwableToInternalError), and RestServer answers 503 (zstackio/zstack:
# search/src/main/java/org/zstack/query/QueryFacadeImpl.java, search/src/main/java/org/zstack/zql/ZQL.java).
# The messages below were reproduced with ZStack's own generated ZQLLexer/ZQLParser and the ANTLR 4.7.2 runtime.

ZQL_LIST_OPS = ("in", "not in")
ZQL_PUNCTUATION = ("!=", ">=", "<=", "--", "=", ">", "<", "(", ")", ",", ".", ";", "*", "/", "%", "+", "-", "{", "}")
PARSE_CANCELLATION = "org.antlr.v4.runtime.misc.ParseCancellationException"
CLOUD_RUNTIME_EXCEPTION = "org.zstack.header.exception.CloudRuntimeException"


def version_key(version):
    """'4.8.10' -> (4, 8, 10): versions compare as numbers."""
    return tuple(int(part) for part in str(version).split("."))


def release_has(version, feature):
    return version_key(version) >= RELEASE_FEATURES[feature]


def java_string_hash(text):
    """java.lang.String.hashCode (over UTF-16 code units), as an unsigned 32-bit number."""
    data = text.encode("utf-16-be")
    value = 0
    for index in range(0, len(data), 2):
        value = (31 * value + (data[index] << 8 | data[index + 1])) & 0xFFFFFFFF
    return value


def java_hash_set_order(items):
    """The iteration order of a java.util.HashSet filled with these strings in this order (JDK 8 HashMap: 16
    buckets, doubled past a load of 0.75; hash ^ hash >>> 16 picks the bucket, which keeps insertion order)."""
    unique = list(dict.fromkeys(items))
    capacity = 16
    while len(unique) > capacity * 3 // 4:
        capacity *= 2

    def bucket(text):
        code = java_string_hash(text)
        return (code ^ (code >> 16)) & (capacity - 1)
    return sorted(unique, key=bucket)  # a stable sort keeps insertion order inside a bucket


def java_split_commas(text):
    """Java's String.split(","): trailing empty strings dropped, a string without a comma kept whole."""
    if "," not in text:
        return [text]
    parts = text.split(",")
    while parts and parts[-1] == "":
        parts.pop()
    return parts


def _zql_escape(text):
    return text.replace("\\", "\\\\").replace("'", "\\'")


def zql_value_items(value, op, version):
    """The quoted ZQL items of a condition value as QueryFacadeImpl.toZQLConditionString writes them, and whether
    they form a list ('(' item ',' item ')')."""
    listed = op in ZQL_LIST_OPS
    if release_has(version, "zql_escape"):
        # Each ' becomes \', each \ becomes \\, and in a list each ',' closes one item and opens the next.
        items = value.split(",") if listed else [value]
        return ["'%s'" % _zql_escape(item) for item in items], listed
    if listed:  # older: every piece quoted as it is, through a HashSet; none at all -> ''
        return java_hash_set_order(["'%s'" % item for item in java_split_commas(value)]) or ["''"], True
    return ["'%s'" % value], False


def _zql_conditions(query, version):
    """Each condition as QueryFacadeImpl writes it, in the order of the HashSet<String> queryUseZQL collects them in:
    [(text, (name, op, value), layout)], layout None without a value, else (offset of the value, items, listed)."""
    rendered = {}
    for name, op, value in query.conditions:
        if value is None:
            rendered.setdefault("%s %s" % (name, op), ((name, op, value), None))
            continue
        items, listed = zql_value_items(value, op, version)
        prefix = "%s %s %s" % (name, op, "(" if listed else "")
        text = prefix + ",".join(items) + (")" if listed else "")
        rendered.setdefault(text, ((name, op, value), (len(prefix), items, listed)))
    return [(text,) + rendered[text] for text in java_hash_set_order(list(rendered))]


def zql_text(query, version):
    """QueryFacadeImpl.queryUseZQL's text for a VM query -> (text, values): values holds, per condition with a value,
    in text order, [(start, end) of each quoted item] and whether it is a list."""
    text = " ".join(["count" if query.count else "query",
                     "vminstance" + ("." + ",".join(query.fields) if query.fields else "")])
    values = []
    for index, (condition, _condition, layout) in enumerate(_zql_conditions(query, version)):
        text += " and " if index else " where "
        if layout is not None:
            offset, items, listed = layout
            spans, position = [], len(text) + offset
            for item in items:
                spans.append((position, position + len(item)))
                position += len(item) + 1
            values.append((spans, listed))
        text += condition
    tail = []
    if not query.count and query.reply_with_count:
        tail.append("return with (total)")
    if query.sort_by is not None:
        tail.append("order by %s %s" % (query.sort_by, "desc" if query.sort_desc else "asc"))
    tail.append("limit %s" % query.limit)
    if query.start is not None:
        tail.append("offset %s" % query.start)
    return text + " " + " ".join(tail), values


def zql_field_error(query, version, known):
    """SYS.1000 details for the first field the ZQL visitors do not find, or None: the query's fields first
    (InventoryMetadata.errorIfNoField, whose message keeps a Groovy-style ${selfInventoryClass} that String.format
    never fills), then the conditions in text order (FieldChainQuery.verify), each wrapped by
    handle(APIQueryMessage) in a CloudRuntimeException (search/src/main/java/org/zstack/zql/ast/ZQLMetadata.java,
    search/src/main/java/org/zstack/zql/ast/visitors/plugin/AbstractQueryVisitorPlugin.java)."""
    for name in query.fields or []:
        if name not in known:
            return "%s: inventory[${selfInventoryClass}] has no field[%s]" % (CLOUD_RUNTIME_EXCEPTION, name)
    for _text, (name, _op, _value), _layout in _zql_conditions(query, version):
        if name not in known:
            return "%s: inventory class[class %s] not having field[%s]" % (CLOUD_RUNTIME_EXCEPTION, VM_INVENTORY_CLASS, name)
    return None


class ZqlLexError(Exception):
    """ZQLLexer met a character no token rule matches; ``text`` is what ANTLR shows (from the token's start)."""

    def __init__(self, position, text):
        super().__init__(text)
        self.position = position
        self.text = text


def _zql_string_end(text, start, doubled_quote):
    """The end of the STRING token starting at text[start] (a quote), or ZqlLexError if none ends anywhere.

    ANTLR's lexer takes the longest match: a quote may close the string or, with ZQL.g4's '' rule, begin a pair;
    if the pair leads nowhere, the string is the one that the last closing quote ended.
    """
    quote = text[start]
    index = start + 1
    last_end = None
    while index < len(text):
        if text[index] == quote:
            last_end = index + 1
            if quote == "'" and doubled_quote and text[index + 1:index + 2] == "'":
                index += 2
                continue
            return last_end
        index += 1
    if last_end is None:
        raise ZqlLexError(start, text[start:])
    return last_end


def zql_next_token(text, start, doubled_quote):
    """The next token of ZQL.g4's lexer at or after ``start`` -> (start, end), (len, len) at the end, or ZqlLexError."""
    index = start
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    if index == len(text):
        return index, index
    char = text[index]
    if char in "'\"":
        return index, _zql_string_end(text, index, doubled_quote)
    if char.isascii() and (char.isalnum() or char == "_"):
        end = index
        while end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] == "_"):
            end += 1
        return index, end
    for token in ZQL_PUNCTUATION:
        if text.startswith(token, index):
            return index, index + len(token)
    # No rule matches: ANTLR shows the text from the token's start to the character that failed.
    raise ZqlLexError(index, text[index:index + 2] if char == "!" else char)


def _antlr_display(text):
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def zql_error_details(text, position, message):
    """ZQL.ThrowingErrorListener's message, wrapped by new CloudRuntimeException(e) (RuntimeException(cause))."""
    line_number = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1)
    line = text.split("\n")[line_number - 1]
    start = max(column - 10, 0)
    end = len(line) - 1 if column + 10 >= len(line) else column + 10
    return "%s: error %s at line %d:%d, %s" % (PARSE_CANCELLATION, message, line_number, column, line[start:end])


def zql_syntax_error(query, version):
    """None if ZStack's ZQL parses the query's text, else the SYS.1000 details it fails with.

    A quoted item is broken when the STRING token that starts at its opening quote does not end at its closing
    quote: any ' on a node that escapes it as \' (ZQL.g4 knows only ''), any ' but a doubled '' on 4.0 to 4.6.30,
    any ' on 3.x. What ANTLR reports first depends on the token X after the broken string (the parser asks the lexer
    for tokens as it goes): a character no lexer rule matches at X; in a list, "extraneous input X" after an earlier
    item, and after the first item "extraneous" if the token after X is ',' or ')', else "mismatched"; after a
    single value, an ID or '(' (a condition could start there) makes the parser's prediction read on to the first
    character the lexer cannot match, anything else is "mismatched input X expecting {<EOF>, ';'}" once the token
    after X lexes (single-token deletion looks at it; "extraneous" if it is <EOF> or ';'). Each branch was
    checked against ZStack's generated ZQLLexer/ZQLParser (ANTLR 4.7.2 runtime); when the prediction reads on and
    finds no lexer error (a 3.x node), the parser's own message is not reproduced word for word.
    """
    doubled_quote = release_has(version, "zql_doubled_quote")
    text, values = zql_text(query, version)

    def lexer_error(err):
        return zql_error_details(text, err.position, "token recognition error at: '%s'" % _antlr_display(err.text))

    def token_after(position):
        start, end = zql_next_token(text, position, doubled_quote)
        return start, end, _antlr_display(text[start:end]) or "<EOF>"

    first_lex_error = None
    position = 0
    while position < len(text):
        try:
            position = zql_next_token(text, position, doubled_quote)[1]
        except ZqlLexError as err:
            first_lex_error = err
            break
    broken = None
    for spans, listed in values:
        for index, (start, end) in enumerate(spans):
            try:
                closes_at = _zql_string_end(text, start, doubled_quote)
            except ZqlLexError:
                closes_at = None
            if closes_at != end:
                broken = (start, closes_at, listed, index)
                break
        if broken:
            break
    if broken is None or (first_lex_error is not None and first_lex_error.position < broken[0]):
        return None if first_lex_error is None else lexer_error(first_lex_error)
    start, closes_at, listed, index = broken
    if closes_at is None:  # the string never closes: the lexer fails on it
        return lexer_error(ZqlLexError(start, text[start:]))
    try:
        x_start, x_end, shown = token_after(closes_at)
        if listed:
            kind = "extraneous"
            if index == 0:  # DefaultErrorStrategy.singleTokenDeletion looks one token further
                kind = "extraneous" if token_after(x_end)[2] in (",", ")") else "mismatched"
            return zql_error_details(text, x_start, "%s input '%s' expecting {',', ')'}" % (kind, shown))
        starts_condition = shown == "(" or re.fullmatch(r"[A-Za-z0-9_]+", shown) is not None
        if starts_condition and first_lex_error is not None:
            return lexer_error(first_lex_error)
        kind = "extraneous" if token_after(x_end)[2] in ("<EOF>", ";") else "mismatched"
    except ZqlLexError as err:
        return lexer_error(err)
    return zql_error_details(text, x_start, "%s input '%s' expecting {<EOF>, ';'}" % (kind, shown))


def zql_unescape(query, version):
    """The values the database compares once the ZQL parsed: on 4.0 to 4.6.30 a doubled '' inside a quoted value
    reaches JPQL as it is, where it stands for one quote (SQLConditionBuilder puts the text into the query)."""
    if not release_has(version, "zql_doubled_quote") or release_has(version, "zql_escape"):
        return query
    return dataclasses.replace(query, conditions=[
        (name, op, value.replace("''", "'") if value is not None else None) for name, op, value in query.conditions])


# --------------------------------------------------------------------------------------------------
# The simulator
# --------------------------------------------------------------------------------------------------

class Simulator:
    """A ZStack management node, in-process. Thread-safe: one lock guards all state."""

    def __init__(self, seed, host="127.0.0.1", port=0, **options):
        self.host = host
        self._requested_port = port
        self._seed = load_seed(seed)
        self._options = dict(options)
        self.config = self._make_config()
        self._initial_faults = [FaultRule.from_dict(rule) for rule in self.config.faults]
        self._lock = threading.RLock()
        self._server = None
        self._threads = []
        self._stop_event = threading.Event()
        self._reset_state()

    # ---- lifecycle -------------------------------------------------------------------------------

    def _make_config(self):
        fields = {f.name for f in dataclasses.fields(Config)}
        unknown = sorted(set(self._options) - fields)
        if unknown:
            raise TypeError("unknown simulator option(s): %s" % ", ".join(unknown))
        config = Config(**copy.deepcopy(self._options))
        proxy = self._seed.get("consoleProxy", {})
        node = self._seed.get("managementNode", {})
        if "version" in proxy:
            raise ValueError("seed: consoleProxy.version is gone: a console's version is the node's version "
                             "(managementNode.version or --zstack-version)")
        # consoleProxyPort (CoreGlobalProperty, default 4900) is the proxy's port; the hostname is
        # consoleProxyOverriddenIp or the management node's IP (ConsoleManagerImpl, overriddenConsoleProxyIP).
        defaults = {"console_hostname": proxy.get("hostname", "127.0.0.1"), "console_port": proxy.get("port", 4900),
                    "console_scheme": proxy.get("scheme", "http"), "console_target_scheme": proxy.get("targetScheme", "vnc"),
                    "zstack_version": node.get("version", DEFAULT_ZSTACK_VERSION)}
        for key, value in defaults.items():
            if getattr(config, key) is None:
                setattr(config, key, value)
        if "advertise_host" not in self._options and node.get("advertiseHost"):
            config.advertise_host = node["advertiseHost"]
        if "advertise_port" not in self._options and node.get("advertisePort"):
            config.advertise_port = node["advertisePort"]
        if isinstance(config.faults, dict):
            config.faults = [config.faults]
        config.validate()
        return config

    def _reset_state(self):
        self._world = World(self._seed)
        self._sessions = {}
        self._key_sessions = {}
        self._consoles = {}
        self._jobs = {}
        self._faults = copy.deepcopy(self._initial_faults)
        self._console_requests = collections.deque(maxlen=500)
        self._inventories = {}  # VM UUID -> (what the inventory was built from, the inventory): see _vm_inventory
        self._counters = {"total": 0, "requests": {}, "logins": 0, "login_failures": 0, "logouts": 0,
                          "sessions_ended": {}, "jobs_created": 0, "consoles_created": 0, "consoles_deleted": {}}
        self._next_sweep = time.time() + self.config.session_cleanup_interval

    def start(self):
        """Bind and serve in background threads; returns self."""
        if self._server is not None:
            raise RuntimeError("simulator already started")
        if self.config.token_dir:
            os.makedirs(self.config.token_dir, mode=0o700, exist_ok=True)
        server = _Server((self.host, self._requested_port), _Handler, self)
        if self.config.tls_cert:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.config.tls_cert, self.config.tls_key)
            server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
        self._server = server
        self._stop_event.clear()
        self._threads = [
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="zstack-sim-http", daemon=True),
            threading.Thread(target=self._tick, name="zstack-sim-clock", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        LOG.info("ZStack simulator listening on %s", self.base_url)
        return self

    def stop(self):
        """Stop serving, close open connections and remove the token files of live consoles."""
        self._stop_event.set()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_connections()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = []
        with self._lock:
            for console in list(self._consoles.values()):
                self._delete_console(console, "shutdown")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    @property
    def port(self):
        return self._server.server_address[1] if self._server else None

    @property
    def base_url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        scheme = "https" if self.config.tls_cert else "http"
        return "%s://%s:%s" % (scheme, host, self.port)

    def _tick(self):
        while not self._stop_event.wait(0.05):
            try:
                with self._lock:
                    self._settle()
            except Exception:  # keep the clock alive, but say what broke
                LOG.exception("simulator clock tick failed")

    # ---- public helpers for tests (same as the admin API) ---------------------------------------

    @property
    def state(self):
        """A snapshot of sessions, consoles, jobs, counters, faults and config (GET /_sim/state)."""
        return self.snapshot()

    def snapshot(self):
        with self._lock:
            self._settle()
            return self._snapshot()

    def reset(self):
        with self._lock:
            for console in list(self._consoles.values()):
                self._delete_console(console, "reset")
            self.config = self._make_config()
            self._reset_state()

    def add_faults(self, rules):
        if isinstance(rules, dict):
            rules = rules.get("rules", [rules]) if "rules" in rules else [rules]
        parsed = [FaultRule.from_dict(rule) for rule in rules]
        with self._lock:
            self._faults.extend(parsed)
        return [rule.id for rule in parsed]

    def clear_faults(self):
        with self._lock:
            self._faults = []

    def configure(self, **values):
        with self._lock:
            unknown = sorted(set(values) - set(Config.RUNTIME_KEYS))
            if unknown:
                raise ValueError("not a runtime option: %s" % ", ".join(unknown))
            candidate = dataclasses.replace(self.config, **values)
            candidate.validate()
            if candidate.session_cleanup_interval != self.config.session_cleanup_interval:
                # Session.setupGlobalConfig: a new session.cleanup.interval restarts the cleanup task.
                self._next_sweep = time.time() + candidate.session_cleanup_interval
            self.config = candidate
            return candidate.public()

    def expire_session(self, session_uuid):
        """The session's expiredDate becomes now. Like on a node, nothing else happens yet: the next API call that
        uses it, its /valid or its logout logs it out through the logout hook (its consoles go), while the
        periodic cleanup deletes it without the hook (its consoles stay). False if it is not in the table."""
        with self._lock:
            session = self._sessions.get(session_uuid)
            if session is None:
                return False
            session.expires = min(session.expires, time.time())
            return True

    def sweep_sessions(self):
        """Run the periodic cleanup of expired sessions now; returns the UUIDs it deleted."""
        with self._lock:
            return self._sweep_sessions(time.time())

    def delete_console(self, token):
        with self._lock:
            for console in self._consoles.values():
                if console.token == token:
                    self._delete_console(console, "admin")
                    return True
            return False

    def update_vm(self, vm_uuid, **fields):
        """Change a VM (state, name, hostUuid and the console keys of VM_SIMULATED_FIELDS); leaving the console
        states deletes its console."""
        with self._lock:
            vm = self._world.vms.get(vm_uuid)
            if vm is None:
                raise KeyError(vm_uuid)
            unknown = sorted(set(fields) - {"state", "hostUuid", "name"} - set(VM_SIMULATED_FIELDS))
            if unknown:
                raise ValueError("cannot update %s" % ", ".join(unknown))
            set_vm_console(copy.copy(vm), fields)  # refuses bad values before anything changes
            set_vm_console(vm, fields)
            vm.state = fields.get("state", vm.state)
            vm.name = fields.get("name", vm.name)
            if "hostUuid" in fields:
                vm.host_uuid = fields["hostUuid"]
                vm.last_host_uuid = fields["hostUuid"] or vm.last_host_uuid
            console = self._consoles.get(vm.uuid)
            if console is not None and vm.state not in CONSOLE_STATES:
                self._delete_console(console, "vm_state")
            return self._vm_summary(vm)

    def vm_uuids(self, name, states=None):
        """UUIDs of the seed VMs with this name (optionally in these states), in seed order."""
        with self._lock:
            return [vm.uuid for vm in self._world.vms.values() if vm.name == name and (states is None or vm.state in states)]

    # ---- request entry point ---------------------------------------------------------------------

    def handle(self, request):
        """Answer one request: a Reply, or DROP to close the connection without answering."""
        if request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + "/"):
            return self._handle_admin(request)
        route, args, allowed = self._match(API_ROUTES, request)
        template = route.template if route else "<no api mapping>"
        with self._lock:
            self._counters["total"] += 1
            key = "%s %s" % (request.method, template)
            self._counters["requests"][key] = self._counters["requests"].get(key, 0) + 1
            rule = self._take_fault(request)
            latency = self.config.latency_ms
        latency += rule.latency_ms if rule else 0
        if latency > 0:
            time.sleep(latency / 1000.0)
        if rule is not None:
            if rule.expire_session:
                self._expire_request_session(request, args)
            if rule.drop:
                return DROP
            if rule.status is not None:
                return rule.status_reply()
            if rule.error is not None:
                return rule.error_reply()
        reply = self._dispatch(request, route, args, allowed, rule)
        if rule is not None and rule.malformed:
            reply = _malformed(reply, rule.malformed)
        return reply

    @staticmethod
    def _match(routes, request):
        candidates = []
        for route in routes:
            match = route.regex.match(request.path)
            if match:
                if route.method == request.method:
                    return route, match.groupdict(), True
                candidates.append((route, match.groupdict()))
        if candidates:
            return candidates[0][0], candidates[0][1], False
        return None, {}, False

    def _dispatch(self, request, route, args, allowed, rule):
        try:
            if route is None:
                if request.path.startswith(API_PREFIX + "/"):
                    raise HttpError(404, "no api mapping to %s" % request.path[len(CONTEXT_PATH):])
                raise HttpError(404, "Not Found")
            if not allowed:
                if route.handler == "api_poll_job":
                    raise HttpError(405, "only GET method is allowed for querying job status")
                raise HttpError(405, "The method[%s] is not allowed for the path[%s]" % (request.method, request.raw_path))
            return getattr(self, route.handler)(request, args, rule)
        except HttpError as err:
            return Reply.text(err.status, err.text)
        except ApiError as err:
            return Reply.api(503, {"error": err.to_dict()}, html_safe=False)
        except Exception as exc:  # the servlet answers any other exception with 500 and its message
            LOG.exception("internal error on %s %s", request.method, request.target)
            return Reply.text(500, str(exc) or exc.__class__.__name__)

    def _take_fault(self, request):
        for rule in self._faults:
            if rule.matches(request.method, request.path):
                rule.hits += 1
                return rule
        return None

    def _expire_request_session(self, request, args):
        with self._lock:
            auth = (request.header("Authorization") or "").strip()
            session_uuid = None
            if auth.startswith("OAuth"):
                session_uuid = auth[len("OAuth"):].strip()
            elif auth.startswith("ZStack"):
                key_id = auth[len("ZStack"):].strip().split(":")[0]
                session_uuid = self._key_sessions.get(key_id)
            elif "/accounts/sessions/" in request.path:
                session_uuid = args.get("uuid")
            session = self._sessions.get(session_uuid) if session_uuid else None
            if session is not None:  # expired now; the request then finds it so, as on a node
                session.expires = min(session.expires, time.time())

    # ---- clock: jobs, sessions, consoles --------------------------------------------------------

    def _settle(self, now=None):
        """Bring the state up to now: finish due jobs, run the session cleanup when due, expire consoles and old jobs.

        An expired session stays until it is used or swept (Session.checkSessionExpired, startCleanUpStaleSessionTask).
        """
        now = time.time() if now is None else now
        for job in list(self._jobs.values()):
            if not job.done and job.due is not None and job.due <= now:
                self._complete_job(job, job.due)
        if now >= self._next_sweep:
            self._sweep_sessions(now)
            self._next_sweep = now + self.config.session_cleanup_interval
        for console in list(self._consoles.values()):
            if console.expires <= now and not console.stale:
                self._expire_console(console)
        for job in list(self._jobs.values()):
            if job.done and job.expires is not None and job.expires <= now:
                del self._jobs[job.uuid]

    def _release(self, feature):
        return release_has(self.config.zstack_version, feature)

    def _expire_console(self, console):
        """A console's token expires. From 5.0 the console goes (the agent deletes the token file at expiredDate and
        grantConsoleAccess replaces the expired ConsoleProxyVO). Before 5.0 the ConsoleProxyVO has no expiry: only
        the agent's timer deletes the token file (console_proxy_agent.py, submit_delete_token_task), and the next
        request for the VM gets a new token with the same "<session>_<vm>" prefix."""
        if self._release("console_expiry"):
            self._delete_console(console, "expired")
        else:
            self._remove_token_file(console)
            console.stale = True
            self._count("consoles_deleted", "token_file_expired")

    def _count(self, counter, reason):
        counts = self._counters[counter]
        counts[reason] = counts.get(reason, 0) + 1

    def _sweep_sessions(self, now):
        """Session.startCleanUpStaleSessionTask, every identity.session.cleanup.interval (3600 s): a bulk
        "delete from SessionVO" of the expired sessions that runs no SessionLogoutExtensionPoint, so their consoles
        live on until their own expiry (zstackio/zstack: identity/src/main/java/org/zstack/identity/Session.java)."""
        swept = [session for session in self._sessions.values() if session.expires <= now]
        for session in swept:
            self._forget_session(session)
            self._count("sessions_ended", "swept")
        return [session.uuid for session in swept]

    def _forget_session(self, session):
        self._sessions.pop(session.uuid, None)
        if session.access_key_id and self._key_sessions.get(session.access_key_id) == session.uuid:
            del self._key_sessions[session.access_key_id]

    def _live_session(self, session_uuid, now):
        """The session, unless unknown or expired; an expired one is logged out first, as Session.checkSessionExpired
        does (its logout hook runs, so its consoles go). Call with the lock held."""
        session = self._sessions.get(session_uuid)
        if session is not None and session.expires <= now:
            self._end_session(session, "session_expired")
            return None
        return session

    def _end_session(self, session, reason):
        """Session.logout: every SessionLogoutExtensionPoint runs before the row goes, and
        ConsoleManagerImpl.sessionLogout deletes the consoles whose token is LIKE '<session uuid>%'."""
        self._forget_session(session)
        self._count("sessions_ended", reason)
        for console in list(self._consoles.values()):
            if console.token.startswith(session.uuid):
                self._delete_console(console, reason)

    def _delete_console(self, console, reason):
        self._consoles.pop(console.vm_uuid, None)
        self._count("consoles_deleted", reason)
        self._remove_token_file(console)

    def _remove_token_file(self, console):
        if console.token_file:
            try:
                os.remove(console.token_file)
            except FileNotFoundError:
                LOG.debug("token file %s was already gone", console.token_file)
            except OSError as exc:
                LOG.warning("cannot remove token file %s: %s", console.token_file, exc)
            console.token_file = None

    def _write_token_file(self, console):
        """Write '{token}: {host}:{port}' to <token_dir>/<token>, mode 0600 (websockify TokenFile format)."""
        if not self.config.token_dir:
            return
        if not TOKEN_RE.fullmatch(console.token):
            LOG.warning("not writing a token file for unsafe token %r", console.token)
            return
        path = os.path.join(self.config.token_dir, console.token)
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        descriptor = os.open(path, flags, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write("%s: %s:%s" % (console.token, console.vnc_host, console.vnc_port))
        console.token_file = path

    # ---- sessions and authentication ------------------------------------------------------------

    def _date(self, timestamp):
        return java_date(timestamp, self.config.zone(), self.config.date_style)

    def _login(self, account_uuid, user_uuid):
        """Session.login: with identity enable.unique.session (default false, conf/globalConfig/identity.xml), first
        Session.logout of each session of the same user, the logout hook included (their consoles go); then the
        session.maxConcurrent check and the new session (zstackio/zstack: identity/src/main/java/org/zstack/identity/Session.java)."""
        if self.config.unique_session:
            for session in [s for s in self._sessions.values() if s.user_uuid == user_uuid]:
                self._end_session(session, "unique_session")
        return self._create_session(account_uuid, user_uuid)

    def _create_session(self, account_uuid, user_uuid, access_key_id=None):
        now = time.time()
        # q(SessionVO).eq(userUuid).count(): rows, expired ones the cleanup has not deleted yet included.
        live = sum(1 for s in self._sessions.values() if s.user_uuid == user_uuid)
        if live >= self.config.max_sessions:
            raise ApiError("ID.1006", "Login sessions hit limit of max allowed concurrent login sessions")
        session = Session(uuid=new_uuid(), account_uuid=account_uuid, user_uuid=user_uuid, created=now,
                          last_used=now, expires=now + self.config.session_timeout, access_key_id=access_key_id)
        self._sessions[session.uuid] = session
        return session

    def _session_inventory(self, session):
        return {"uuid": session.uuid, "accountUuid": session.account_uuid, "userUuid": session.user_uuid,
                "expiredDate": self._date(session.expires), "createDate": self._date(session.created)}

    def _authenticate(self, request):
        """RestServer.handleApi's header checks: plain-text 400/401/403; the session is checked later."""
        auth = request.header("Authorization")
        if auth is None:
            raise HttpError(400, "missing header 'Authorization'")
        auth = auth.strip()
        if auth.startswith("OAuth"):
            return Principal(session_uuid=auth[len("OAuth"):].strip())
        if auth.startswith("ZStack"):
            self._check_request_date(request.header("Date"))
            parts = auth[len("ZStack"):].strip().split(":")
            while parts and parts[-1] == "":
                parts.pop()  # Java's String.split drops trailing empty strings
            if len(parts) != 2:
                raise HttpError(400, "accessKey format is 'ZStack AccessKeyId:Signature'")
            with self._lock:
                key = self._world.access_keys.get(parts[0])
            path = request.path[len(CONTEXT_PATH):] if request.path.startswith(CONTEXT_PATH + "/") else request.path
            if key is None:
                raise HttpError(self.config.access_key_failure_status, "invalid access key[%s]" % parts[0])
            expected = access_key_signature(key.secret, request.method, request.header("Date"), path)
            if not hmac.compare_digest(parts[1].encode("utf-8"), expected.encode("utf-8")):
                raise HttpError(self.config.access_key_failure_status, "the signature of access key[%s] does not match" % key.key_id)
            return Principal(access_key_id=key.key_id)
        raise HttpError(400, "Authorization type must be 'OAuth'")

    def _check_request_date(self, value):
        if value is None:
            raise HttpError(400, "'Date' must be incuded in request header")
        parsed = parse_request_date(value)
        if parsed is None:
            raise HttpError(400, "'Date' format error, correct format is 'EEE, dd MMM yyyy HH:mm:ss z'")
        date = zoned_local(*parsed)
        now = time.time()
        # RestServer.checkTimeSkewing: with rest.checkTimeZone the instants are compared; without it (the
        # default) date.toLocalDateTime() against now.toLocalDateTime(), now being ZonedDateTime.now() in the
        # JVM's zone: the wall clocks, the header's zone ignored. Both bounds inclusive.
        if self.config.check_time_zone:
            skew = date.timestamp() - now
        else:
            skew = (date.replace(tzinfo=None) - node_now(self.config.zone(), now)).total_seconds()
        if abs(skew) > REQUEST_SKEW_SECONDS:
            raise HttpError(403, "requestTimeTooSkewed")

    def _check_session(self, principal):
        """AuthorizationManager.evaluateSession: ID.1001 if unknown/expired, else renew. Call with the lock held."""
        now = time.time()
        if principal.access_key_id is not None:
            key = self._world.access_keys[principal.access_key_id]
            session = self._live_session(self._key_sessions.get(key.key_id, ""), now)
            if session is None:
                session = self._create_session(key.account_uuid, key.user_uuid, access_key_id=key.key_id)
                self._key_sessions[key.key_id] = session.uuid
        else:
            session = self._live_session(principal.session_uuid or "", now)
            if session is None:
                raise ApiError("ID.1001", "Session expired")
        session.last_used = now
        session.expires = now + self.config.session_timeout
        return session

    def _account_name(self, account_uuid):
        account = self._world.accounts.get(account_uuid)
        return account.name if account else None

    def _denied(self, session, vm):
        return ("operation denied. The resource[uuid: %s, type: VmInstanceVO,ownerAccountName:%s, ownerAccountUuid:%s]"
                " doesn't belong to the account[uuid: %s]"
                % (vm.uuid, self._account_name(vm.owner_uuid), vm.owner_uuid, session.account_uuid))

    def _can_access(self, session, vm):
        account = self._world.accounts.get(session.account_uuid)
        return bool(account and (account.admin or vm.owner_uuid == account.uuid))

    # ---- request body helpers -------------------------------------------------------------------

    @staticmethod
    def _json_body(request):
        """JSONObjectUtil.toObject(body, LinkedHashMap): empty -> {}, not an object -> 500 plain text."""
        text = request.body.decode("utf-8", errors="replace")
        if not text.strip():
            return {}
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise HttpError(500, "com.google.gson.stream.MalformedJsonException: %s" % exc) from None
        if value is None:
            return {}
        if not isinstance(value, dict):
            kind = {list: "BEGIN_ARRAY", str: "STRING", bool: "BOOLEAN"}.get(type(value), "NUMBER")
            raise HttpError(500, "java.lang.IllegalStateException: Expected BEGIN_OBJECT but was %s at line 1 column 1 path $" % kind)
        return value

    @staticmethod
    def _message_params(body, name):
        params = body.get(name)
        if params is None:
            return {}
        if not isinstance(params, dict):
            raise HttpError(500, "java.lang.ClassCastException: %s cannot be cast to java.util.Map" % type(params).__name__)
        return params

    @staticmethod
    def _tags(params, body, name):
        """RestServer.handleApi: the message is built from body["params"] (so params.systemTags is read), then, for
        methods other than GET and DELETE, a top-level systemTags / userTags that is not null replaces it."""
        tags = params.get(name)
        if tags is not None and not isinstance(tags, list):
            raise HttpError(500, "com.google.gson.JsonSyntaxException: java.lang.IllegalStateException: "
                                 "Expected BEGIN_ARRAY but was %s" % type(tags).__name__)
        if body.get(name) is not None:
            tags = body[name]
            if not isinstance(tags, list):
                raise HttpError(500, "java.lang.ClassCastException: %s cannot be cast to java.util.List" % type(tags).__name__)
        return [str(tag) for tag in tags or []]

    @staticmethod
    def _require(params, names):
        for name in names:
            if params.get(name) is None:
                raise ApiError("SYS.1007", "field[%s] of message[%s] is mandatory, can not be null" % (name, PARAM_VALIDATOR_CLASS))

    # ---- API handlers -----------------------------------------------------------------------------

    def api_login_account(self, request, args, rule):
        params = self._message_params(self._json_body(request), "logInByAccount")
        with self._lock:
            self._settle()
            try:
                self._require(params, ("accountName", "password"))
                account = self._world.account_by_name.get(str(params["accountName"]))
                if account is None or not hmac.compare_digest(str(params["password"]), account.password_hash):
                    raise ApiError("ID.1000", "wrong account name or password")
                session = self._login(account.uuid, account.uuid)
            except ApiError:
                self._counters["login_failures"] += 1
                raise
            self._counters["logins"] += 1
            return Reply.api(200, {"inventory": self._session_inventory(session)})

    def api_login_user(self, request, args, rule):
        params = self._message_params(self._json_body(request), "logInByUser")
        with self._lock:
            self._settle()
            try:
                self._require(params, ("userName", "password"))
                account = self._world.accounts.get(str(params.get("accountUuid")))
                if account is None:
                    account = self._world.account_by_name.get(str(params.get("accountName")))
                user = self._world.user_by_name.get((account.uuid, str(params["userName"]))) if account else None
                if user is None or not hmac.compare_digest(str(params["password"]), user.password_hash):
                    raise ApiError("ID.1000", "wrong account or username or password")
                session = self._login(account.uuid, user.uuid)
            except ApiError:
                self._counters["login_failures"] += 1
                raise
            self._counters["logins"] += 1
            return Reply.api(200, {"inventory": self._session_inventory(session)})

    def api_logout(self, request, args, rule):
        self._json_body(request)
        with self._lock:
            self._settle()
            session = self._sessions.get(args["uuid"])
            if session is not None:
                self._end_session(session, "logout")
                self._counters["logouts"] += 1
        return Reply.api(200, {})

    def api_validate_session(self, request, args, rule):
        """AccountManagerImpl.handle(APIValidateSessionMsg): Session.checkSessionExpired, which logs an expired
        session out (the logout hook runs) before answering false."""
        self._json_body(request)
        with self._lock:
            self._settle()
            return Reply.api(200, {"valid": self._live_session(args["uuid"], time.time()) is not None})

    def api_query_vms(self, request, args, rule):
        self._json_body(request)
        principal = self._authenticate(request)
        query = parse_query(request.query_string)
        with self._lock:
            self._settle()
            session = self._check_session(principal)
            return Reply.api(200, self._run_query(session, query))

    def api_get_vm(self, request, args, rule):
        self._json_body(request)
        principal = self._authenticate(request)
        with self._lock:
            self._settle()
            session = self._check_session(principal)
            return Reply.api(200, self._run_query(session, Query(conditions=[("uuid", "=", args["uuid"])])))

    def api_console_address(self, request, args, rule):
        """APIGetVmConsoleAddressMsg, GET /vm-instances/{uuid}/console-addresses, synchronous: the VM's graphics as
        its host's kvmagent reports them, protocol "vnc", "spice" or "vncAndSpice" and port the VNC port, else the
        SPICE one (header/src/main/java/org/zstack/header/vm/APIGetVmConsoleAddressMsg.java, APIGetVmConsoleAddressReply
        with fieldsTo all; plugin/kvm/src/main/java/org/zstack/kvm/KVMHost.java, GetVmConsoleAddressFromHostMsg;
        zstack-utility kvmagent/kvmagent/plugins/vm_plugin.py, get_vdi_connect_port). Only Running and Crashed VMs
        (AbstractVmInstance.allowedOperations), else SYS.1006 caused by VM.1010 (validateOperationByState)."""
        self._json_body(request)
        principal = self._authenticate(request)
        with self._lock:
            self._settle()
            session = self._check_session(principal)
            vm = self._world.vms.get(args["uuid"])
            if vm is None:
                raise ApiError("SYS.1003", "invalid field[uuid], resource[uuid:%s, type:VmInstanceVO] not found" % args["uuid"])
            if not self._can_access(session, vm):
                raise ApiError("ID.1002", self._denied(session, vm))
            if vm.state not in ("Running", "Crashed"):
                details = ("current vm instance state[%s] doesn't allow to proceed message[org.zstack.header.vm.APIGetVmConsoleAddressMsg],"
                           " allowed states are %s" % (vm.state, java_list(java_hash_set_order(["Running", "Crashed"]))))
                raise ApiError("SYS.1006", details, cause=error_dict("VM.1010", details))
            host = self._world.hosts.get(vm.host_uuid) or {}
            ports = {"vncPort": vm.vnc_port, "spicePort": vm.spice_port, "spiceTlsPort": vm.spice_tls_port}
            return Reply.api(200, java_hash_map({
                "hostIp": host.get("managementIp"), "port": vm.console_port, "protocol": vm.console_protocol,
                "vdiPortInfo": {key: value for key, value in ports.items() if value is not None}, "success": True}))

    def api_management_node_action(self, request, args, rule):
        """PUT /v1/management-nodes/actions is shared by several action APIs: RestServer.handleNonUniqueApi picks the
        one whose action name is a key of the body, else 400. APIGetVersionMsg is @SuppressCredentialCheck (no
        Authorization) and an APISyncCallMessage (answered at once): ApiMediatorImpl.handle(APIGetVersionMsg) replies
        dbf.getDbVersion(), and APIGetVersionReply's @RestResponse(fieldsTo = {"all"}) maps every field of the reply
        that is not @APINoSee, so 200 {"success": true, "version": "..."} (error null, left out) (zstackio/zstack:
        header/src/main/java/org/zstack/header/managementnode/APIGetVersionMsg.java, APIGetVersionReply.java,
        portal/src/main/java/org/zstack/portal/apimediator/ApiMediatorImpl.java, rest/.../RestServer.java,
        header/src/main/java/org/zstack/header/rest/RestResponseWrapper.java). Only getVersion is simulated."""
        text = request.body.decode("utf-8", errors="replace").strip()
        if text in ("", "null"):
            # JSONObjectUtil.toObject answers null, m.containsKey throws a NullPointerException, whose message is
            # null on Java 8: RestServer.handle answers 500 with an empty body.
            raise HttpError(500, "")
        body = self._json_body(request)
        if "getVersion" not in body:
            raise HttpError(400, "the body doesn't contain action mapping to the URL[%s]" % request.path[len(CONTEXT_PATH):])
        with self._lock:
            return Reply.api(200, java_hash_map({"version": self.config.zstack_version, "success": True}))

    def api_request_console(self, request, args, rule):
        body = self._json_body(request)
        principal = self._authenticate(request)
        params = self._message_params(body, "params")
        job_uuid = request.header("X-Job-UUID")
        if job_uuid is not None and len(job_uuid) != 32:
            raise HttpError(400, "Invalid header[X-Job-UUID], it must be a UUID with '-' stripped")
        system_tags = self._tags(params, body, "systemTags")
        user_tags = self._tags(params, body, "userTags")
        with self._lock:
            self._settle()
            if job_uuid is not None and job_uuid in self._jobs:
                raise HttpError(400, "Duplicate job uuid[%s]" % job_uuid)
            now = time.time()
            delay = self.config.job_delay
            if rule is not None and rule.job_delay is not None:
                delay = rule.job_delay
            never = rule is not None and rule.job_never_finishes
            job = Job(uuid=job_uuid or new_uuid(), created=now, due=None if never else now + delay,
                      system_tags=system_tags, user_tags=user_tags,
                      # ApiMediatorImpl.dispatchMessage: only the exact tag stops after the interceptors.
                      validation_only=VALIDATION_ONLY_TAG in system_tags, hidden=bool(rule and rule.job_expired))
            try:
                # The message is validated after the 202, by the API interceptors, in this order.
                vm, session = self._validate_console_request(principal, params)
                job.vm_uuid, job.session_uuid = vm.uuid, session.uuid
            except ApiError as err:
                job.error = err.to_dict()
                job.vm_uuid = params.get("vmInstanceUuid")
            self._jobs[job.uuid] = job
            self._counters["jobs_created"] += 1
            self._console_requests.append({"job": job.uuid, "at": now, "session": job.session_uuid, "vm_uuid": job.vm_uuid,
                                           "system_tags": system_tags, "user_tags": user_tags,
                                           "error": job.error["code"] if job.error else None})
            location = "http://%s:%s%s/api-jobs/%s" % (self.config.advertise_host, self.config.advertise_port, API_PREFIX, job.uuid)
            return Reply.api(202, {"location": location, "apiTimeout": self.config.api_timeout_ms})

    def _validate_console_request(self, principal, params):
        """ApiParamValidator (SYS.1007, SYS.1003), AuthorizationManager (ID.1001, ID.1002), ConsoleApiInterceptor (SYS.1006)."""
        self._require(params, ("vmInstanceUuid",))
        vm_uuid = str(params["vmInstanceUuid"])
        vm = self._world.vms.get(vm_uuid)
        if vm is None:
            raise ApiError("SYS.1003", "invalid field[vmInstanceUuid], resource[uuid:%s, type:VmInstanceVO] not found" % vm_uuid)
        session = self._check_session(principal)
        if not self._can_access(session, vm):
            raise ApiError("ID.1002", self._denied(session, vm))
        if vm.state not in CONSOLE_STATES:
            raise ApiError("SYS.1006", "vm[uuid:%s] is not in state of %s, current state is %s" % (vm.uuid, java_list(CONSOLE_STATES), vm.state))
        return vm, session

    def _complete_job(self, job, now):
        if job.error is not None:
            job.status, job.body = 503, {"error": job.error}
        elif job.validation_only:
            job.status, job.body = 200, {}
        else:
            vm = self._world.vms.get(job.vm_uuid)
            host = self._world.hosts.get(vm.host_uuid) if vm and vm.host_uuid else None
            if vm is not None and vm.direct_console_url and self._release("direct_console") and vm.state in CONSOLE_STATES:
                job.status, job.body = self._direct_console(vm, now)
            elif vm is None or host is None or vm.state not in CONSOLE_STATES:
                job.status = 503
                job.body = {"error": error_dict("SYS.1006", "cannot find host IP of the vm[uuid:%s], is the vm running???" % job.vm_uuid)}
            else:
                console = self._grant_console(job, vm, host["managementIp"], now)
                job.status, job.body = 200, {"inventory": self._console_inventory(console)}
        job.done = True
        job.expires = now + self.config.job_ttl

    def _grant_console(self, job, vm, vnc_host, now):
        """AbstractConsoleProxyBackend.grantConsoleAccess: reuse the VM's live console (its token too), else make one.

        From 5.0 the token is "<session>_<vm>" (ManagementServerConsoleProxyBackend.getConsoleProxy) and each request
        moves expiredDate on. Before 5.0 ConsoleProxyBase took the token from the console proxy agent, which names
        the token file "<session>_<vm>_<expiry>" (Python's str of time.time() + vncTokenTimeout) and, while that file
        lives, hands the same name back without moving its expiry (zstackio/zstack-utility branch 4.8.18:
        consoleproxy/consoleproxy/console_proxy_agent.py, _establish_new_vnc_proxy, ConsoleTokenFile).
        """
        suffixed = not self._release("console_expiry")
        console = self._consoles.get(vm.uuid)
        if console is not None and (console.vnc_host, console.vnc_port) != (vnc_host, vm.console_port):
            self._delete_console(console, "host_changed")
            console = None
        elif console is not None and console.expires <= now and not suffixed:
            self._delete_console(console, "expired")
            console = None
        if console is None:
            prefix = "%s_%s" % (job.session_uuid, vm.uuid)
            console = Console(prefix=prefix, token=prefix, session_uuid=job.session_uuid, vm_uuid=vm.uuid, created=now,
                              expires=now, vnc_host=vnc_host, vnc_port=vm.console_port, stale=suffixed)
            self._consoles[vm.uuid] = console
            self._counters["consoles_created"] += 1
        if not suffixed:
            console.expires = now + self.config.token_lifetime
        elif console.stale or console.expires <= now:
            self._remove_token_file(console)
            console.expires = now + self.config.token_lifetime
            console.token = "%s_%s" % (console.prefix, python2_str_float(console.expires))
            console.stale = False
        console.system_tags, console.user_tags = job.system_tags, job.user_tags
        self._write_token_file(console)
        return console

    def _direct_console(self, vm, now):
        """ConsoleProxyBase.doEstablishDirectConsoleConnection, for a console URL that needs no proxy: scheme and
        targetScheme are the URL's scheme (wss), hostname and port its host and port, token its path (URI.getPath:
        decoded, without the query), version the URL's own (a third-party platform's version, not ZStack's). No
        proxy, no token file, no ConsoleProxyVO that outlives the request here. Without host or port the job fails
        with operr "establish VNC: unexpected uri". ConsoleManagerImpl overrides the hostname only for scheme http.
        -> (status, body) of the job."""
        url = vm.direct_console_url
        scheme, _sep, rest = url.partition("://")
        authority, slash, path_and_query = rest.partition("/")
        authority = authority.rpartition("@")[2]
        if authority.startswith("["):
            host, _sep, port_text = authority[1:].partition("]")
            host, port_text = "[%s]" % host, port_text[1:]  # java.net.URI.getHost keeps an IPv6 literal's brackets
        else:
            host, _sep, port_text = authority.partition(":")
        if not host or not port_text.isdigit():
            return 503, {"error": error_dict("SYS.1006", "establish VNC: unexpected uri: %s" % url)}
        path = urllib.parse.unquote((slash + path_and_query).split("?", 1)[0].split("#", 1)[0])
        # expiredDate: the open-source code leaves it null and the column is "timestamp NOT NULL"
        # (conf/db/upgrade/V5.0.0__schema.sql), which MySQL/MariaDB fill with the insert time: already expired.
        inventory = {"scheme": scheme, "targetScheme": scheme, "hostname": host, "port": int(port_text), "token": path,
                     "version": vm.direct_console_version, "expiredDate": self._date(now)}
        return 200, {"inventory": self._for_release(inventory)}

    def _console_inventory(self, console):
        """ConsoleInventory.valueOf(ConsoleProxyVO). scheme: "http" always (ManagementServerConsoleProxyBackend);
        targetScheme: the scheme of KVMConsoleHypervisorBackend's console URL, "vnc://<host ip>:<port>/" for every
        KVM VM, a SPICE one too (its port is then the SPICE port); version: DatabaseFacade.getDbVersion, the node's
        version (KVMConsoleHypervisorBackend.generateConsoleUrl); hostname and port: consoleProxyOverriddenIp or
        the management IP, and consoleProxyPort (CoreGlobalProperty, 4900)."""
        cfg = self.config
        return self._for_release({
            "scheme": cfg.console_scheme, "targetScheme": cfg.console_target_scheme, "hostname": cfg.console_hostname,
            "port": cfg.console_port, "token": console.token, "version": cfg.zstack_version,
            "expiredDate": self._date(console.expires)})

    def _for_release(self, inventory):
        """ConsoleInventory's fields on this node's version: targetScheme from 4.1, version from 4.3.12, expiredDate
        from 5.0 (header/src/main/java/org/zstack/header/console/ConsoleInventory.java on the release branches)."""
        for key, feature in (("targetScheme", "target_scheme"), ("version", "console_version"), ("expiredDate", "console_expiry")):
            if not self._release(feature):
                inventory.pop(key, None)
        return inventory

    def api_poll_job(self, request, args, rule):
        with self._lock:
            self._settle()
            job = self._jobs.get(args["uuid"])
            if job is not None and rule is not None and rule.job_expired:
                job.hidden = True
            if job is None or job.hidden:
                raise HttpError(404, "the job has been expired")
            if not job.done:
                return Reply.api(202, {})
            return Reply.api(job.status, job.body)

    # ---- queries ----------------------------------------------------------------------------------

    def _vm_inventory(self, vm):
        # Built once per VM and kept while the VM's fields and the date settings stay the same: every query builds
        # the inventory of every VM, and a listing of thousands of VMs page by page (the inventory plugin) would
        # otherwise cost the simulator O(VMs) per page. The simulator's own speed, not a ZStack behaviour (ZStack reads
        # one page from its database: QueryFacadeImpl.queryUseZQL puts "limit N offset M" in the ZQL it runs).
        key = (tuple(value for name, value in vars(vm).items() if name != "extra"),
               self.config.timezone, self.config.tz_offset_minutes, self.config.date_style)
        cached = self._inventories.get(vm.uuid)
        if cached is not None and cached[0] == key:
            return cached[1]
        inventory = self._build_vm_inventory(vm)
        self._inventories[vm.uuid] = (key, inventory)
        return inventory

    def _build_vm_inventory(self, vm):
        values = dict(vm.extra)
        values.update({"uuid": vm.uuid, "name": vm.name, "state": vm.state, "hostUuid": vm.host_uuid,
                       "lastHostUuid": vm.last_host_uuid})
        for key in VM_LIST_FIELDS:
            values.setdefault(key, [])
        inventory = {key: values.get(key) for key in VM_FIELDS}
        inventory.update({k: v for k, v in values.items() if k not in inventory})
        for key in VM_DATE_FIELDS:
            stamp = parse_seed_date(inventory.get(key))
            inventory[key] = None if stamp is None else self._date(stamp)
        return strip_nulls(inventory)

    def _run_query(self, session, query):
        """QueryFacadeImpl.handle(APIQueryMessage) on the ZQL path: the text must parse, then every field must exist;
        either failure is SYS.1000 (an internal error), not SYS.1007 (see the ZQL section above)."""
        version = self.config.zstack_version
        details = zql_syntax_error(query, version)
        if details is not None:
            raise ApiError("SYS.1000", details)
        query = zql_unescape(query, version)
        account = self._world.accounts.get(session.account_uuid)
        inventories = [self._vm_inventory(vm) for vm in self._world.vms.values()
                       if account and (account.admin or vm.owner_uuid == account.uuid)]
        known = set(VM_FIELDS)
        for inventory in inventories:
            known.update(inventory)
        details = zql_field_error(query, version, known)
        if details is not None:
            raise ApiError("SYS.1000", details)
        matched = [inv for inv in inventories if all(self._condition_holds(inv, cond) for cond in query.conditions)]
        if query.count:
            return {"total": len(matched), "schema": {}}
        if query.sort_by:
            matched.sort(key=lambda inv: (inv.get(query.sort_by) is not None, self._sort_key(query.sort_by, inv.get(query.sort_by))),
                         reverse=query.sort_desc)
        first = max(query.start or 0, 0)
        page = matched[first:first + max(query.limit, 0)]
        if query.fields:
            page = [{k: inv[k] for k in query.fields if k in inv} for inv in page]
        result = {"inventories": page}
        if query.reply_with_count:
            result["total"] = len(matched)
        # RestServer always attaches a JsonSchemaBuilder schema to query replies (keys in reverse order).
        result["schema"] = {"inventories[%d]" % i: VM_INVENTORY_CLASS for i in reversed(range(len(page)))}
        return result

    def _sort_key(self, field, value):
        if value is None:
            return ""
        if field in VM_NUMERIC_FIELDS:
            return float(value)
        return self._fold(str(value))

    def _fold(self, text):
        """MySQL utf8_general_ci (ZStack's tables are DEFAULT CHARSET=utf8): case- and trailing-space-insensitive."""
        return text.rstrip(" ").casefold() if self.config.case_insensitive_query else text

    def _condition_holds(self, inventory, condition):
        name, op, value = condition
        actual = inventory.get(name)
        if op == "is null":
            return actual is None
        if op == "is not null":
            return actual is not None
        if actual is None or isinstance(actual, (list, dict)):
            return False
        if op in ("like", "not like"):
            found = like_to_regex(value, self.config.case_insensitive_query).match(str(actual)) is not None
            return found if op == "like" else not found
        if op in ("in", "not in"):
            members = [self._typed(name, item) for item in value.split(",")]
            found = self._typed(name, actual) in members
            return found if op == "in" else not found
        left, right = self._typed(name, actual), self._typed(name, value)
        return {"=": left == right, "!=": left != right, ">": left > right, "<": left < right,
                ">=": left >= right, "<=": left <= right}[op]

    def _typed(self, name, value):
        if name in VM_NUMERIC_FIELDS:
            try:
                return float(value)
            except (TypeError, ValueError):
                raise ApiError("SYS.1007", "cannot convert value[%s] of field[%s] to a number" % (value, name)) from None
        return self._fold(str(value))

    # ---- admin API ---------------------------------------------------------------------------------

    def _handle_admin(self, request):
        route, args, allowed = self._match(ADMIN_ROUTES, request)
        if route is None:
            return Reply.admin(404, {"error": "no admin route %s" % request.path})
        if not allowed:
            return Reply.admin(405, {"error": "method %s not allowed on %s" % (request.method, route.template)})
        try:
            body = json.loads(request.body.decode("utf-8")) if request.body.strip() else None
        except ValueError as exc:
            return Reply.admin(400, {"error": "body is not JSON: %s" % exc})
        try:
            return getattr(self, route.handler)(args, body)
        except (ValueError, TypeError, KeyError) as exc:
            return Reply.admin(400, {"error": str(exc)})

    def admin_health(self, args, body):
        return Reply.admin(200, {"status": "ok"})

    def admin_state(self, args, body):
        return Reply.admin(200, self.snapshot())

    def admin_get_config(self, args, body):
        with self._lock:
            return Reply.admin(200, self.config.public())

    def admin_set_config(self, args, body):
        if not isinstance(body, dict):
            raise ValueError("expected a JSON object of options")
        return Reply.admin(200, self.configure(**body))

    def admin_list_faults(self, args, body):
        with self._lock:
            return Reply.admin(200, {"rules": [rule.to_dict() for rule in self._faults]})

    def admin_add_faults(self, args, body):
        if body is None:
            raise ValueError("expected a rule, a list of rules or {\"rules\": [...]}")
        return Reply.admin(200, {"added": self.add_faults(body)})

    def admin_clear_faults(self, args, body):
        self.clear_faults()
        return Reply.admin(200, {"rules": []})

    def admin_reset(self, args, body):
        self.reset()
        return Reply.admin(200, {"status": "reset"})

    def admin_expire_session(self, args, body):
        if not self.expire_session(args["uuid"]):
            return Reply.admin(404, {"error": "no live session %s" % args["uuid"]})
        return Reply.admin(200, {"expired": args["uuid"]})

    def admin_sweep_sessions(self, args, body):
        return Reply.admin(200, {"swept": self.sweep_sessions()})

    def admin_delete_console(self, args, body):
        if not self.delete_console(args["token"]):
            return Reply.admin(404, {"error": "no live console with token %s" % args["token"]})
        return Reply.admin(200, {"deleted": args["token"]})

    def admin_update_vm(self, args, body):
        if not isinstance(body, dict):
            raise ValueError("expected a JSON object")
        try:
            return Reply.admin(200, self.update_vm(args["uuid"], **body))
        except KeyError:
            return Reply.admin(404, {"error": "no VM %s" % args["uuid"]})

    def _vm_summary(self, vm):
        summary = {"uuid": vm.uuid, "name": vm.name, "state": vm.state, "hostUuid": vm.host_uuid,
                   "owner": self._account_name(vm.owner_uuid)}
        summary.update({key: getattr(vm, attribute) for key, attribute in VM_SIMULATED_FIELDS.items()})
        return summary

    def _snapshot(self):
        now = time.time()
        users = self._world.users
        sessions = [{
            "uuid": s.uuid, "account": self._account_name(s.account_uuid), "accountUuid": s.account_uuid,
            "user": users[s.user_uuid].name if s.user_uuid in users else None, "userUuid": s.user_uuid,
            "created": s.created, "last_used": s.last_used, "expires": s.expires, "access_key": s.access_key_id,
            "expired": s.expires <= now,
        } for s in self._sessions.values()]
        vms = self._world.vms
        consoles = [{
            "token": c.token, "session": c.session_uuid, "vm_uuid": c.vm_uuid,
            "vm_name": vms[c.vm_uuid].name if c.vm_uuid in vms else None, "created": c.created, "expiry": c.expires,
            "vnc_host": c.vnc_host, "vnc_port": c.vnc_port, "system_tags": list(c.system_tags), "user_tags": list(c.user_tags),
            "token_file": c.token_file, "stale": c.stale,
        } for c in self._consoles.values()]
        jobs = [{
            "uuid": j.uuid, "done": j.done, "status": j.status, "vm_uuid": j.vm_uuid, "session": j.session_uuid,
            "system_tags": list(j.system_tags), "user_tags": list(j.user_tags), "created": j.created, "due": j.due,
            "expires": j.expires, "hidden": j.hidden,
        } for j in self._jobs.values()]
        return {
            "sessions": sessions,
            "consoles": consoles,
            "jobs": jobs,
            "console_requests": list(self._console_requests),
            "counters": copy.deepcopy(self._counters),
            "faults": [rule.to_dict() for rule in self._faults],
            "config": self.config.public(),
            "vms": [self._vm_summary(vm) for vm in vms.values()],
        }


def _malformed(reply, how):
    """A 200 whose body is not valid JSON: the given text, or the real body cut in half."""
    if isinstance(how, str):
        return Reply.text(200, how)
    body = reply.body or b'{"inventory":'
    return Reply(200, body[:max(1, len(body) // 2)])


# --------------------------------------------------------------------------------------------------
# HTTP layer
# --------------------------------------------------------------------------------------------------

class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, handler, simulator):
        host = address[0]
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.simulator = simulator
        self._connections = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def track(self, connection, alive):
        with self._connections_lock:
            if alive:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def close_connections(self):
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError as exc:
                LOG.debug("closing a connection: %s", exc)

    def handle_error(self, request, client_address):
        LOG.debug("connection error from %s", client_address, exc_info=True)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ZStackSimulator/1.0"
    # Headers and body go out in two writes: with Nagle's algorithm on, the body waits for the client's
    # delayed ACK of the headers (about 40 ms on Linux), which would swamp --latency-ms in benchmarks.
    disable_nagle_algorithm = True

    def version_string(self):
        return self.server_version

    def setup(self):
        self.timeout = self.server.simulator.config.connection_idle_timeout
        super().setup()
        self.server.track(self.connection, True)

    def finish(self):
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        LOG.debug("%s %s", self.address_string(), format % args)

    def do_GET(self):
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _serve(self):
        started = time.monotonic()
        try:
            body = self._read_body()
        except HttpError as err:
            self.close_connection = True
            self._write(Reply.text(err.status, err.text))
            return
        outcome = self.server.simulator.handle(Request(self.command, self.path, self.headers, body))
        if outcome is DROP:
            LOG.info("%s %s -> connection dropped", self.command, self.path)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError as exc:
                LOG.debug("dropping a connection: %s", exc)
            return
        self._write(outcome)
        LOG.info("%s %s -> %s (%.1f ms)", self.command, self.path, outcome.status, (time.monotonic() - started) * 1000)

    def _read_body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            size = int(length)
        except ValueError:
            raise HttpError(400, "bad Content-Length") from None
        if size < 0 or size > MAX_BODY_BYTES:
            raise HttpError(400, "bad Content-Length")
        return self.rfile.read(size)

    def _read_chunked(self):
        chunks = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise HttpError(400, "bad chunked encoding") from None
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise HttpError(400, "body too large")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)

    def _write(self, reply):
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------

def fault_rules(value):
    """--faults takes JSON (a rule, a list of rules or {"rules": [...]}) or @file."""
    if value.startswith("@"):
        with open(value[1:], encoding="utf-8") as handle:
            value = handle.read()
    data = json.loads(value)
    if isinstance(data, dict):
        data = data.get("rules", [data]) if "rules" in data else [data]
    for rule in data:
        FaultRule.from_dict(rule)
    return data


def build_parser():
    parser = argparse.ArgumentParser(description="ZStack management-node simulator (REST API, consoles, faults).")
    parser.add_argument("--seed", required=True, help="seed JSON file")
    parser.add_argument("--host", default="127.0.0.1", help="listening address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="listening port, 0 for any free one (default 0)")
    parser.add_argument("--port-file", help="write the port here (atomically) once ready to serve")
    parser.add_argument("--token-dir", help="write websockify token files here, one per live console")
    parser.add_argument("--latency-ms", type=float, help="added to every API request")
    parser.add_argument("--job-delay", type=float, help="seconds an async job runs (default 0.1)")
    parser.add_argument("--job-ttl", type=float, help="seconds a finished job stays pollable (default 300)")
    parser.add_argument("--session-timeout", type=float, help="session idle timeout in seconds (default 7200)")
    parser.add_argument("--max-sessions", type=int, help="live sessions per account/user (default 500)")
    parser.add_argument("--token-lifetime", type=float, help="console token lifetime in seconds (default 1800)")
    parser.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    parser.add_argument("--advertise-host", help="host in async job locations (loopback only, default 127.0.0.2)")
    parser.add_argument("--advertise-port", type=int, help="port in async job locations (default 8080)")
    parser.add_argument("--console-hostname", help="console proxy hostname reported (default from seed)")
    parser.add_argument("--console-port", type=int, help="console proxy port reported (default from seed, 4900)")
    parser.add_argument("--console-scheme", help="deprecated: a proxied console's scheme is always http on ZStack, "
                                                 "whatever certificate the proxy has; any other value is refused")
    parser.add_argument("--zstack-version", help="the node's version, as GetVersion answers it and as its console "
                                                 "replies and queries behave (default from seed, else %s)" % DEFAULT_ZSTACK_VERSION)
    parser.add_argument("--unique-session", action="store_true", default=None,
                        help="identity enable.unique.session=true: a login logs out the same user's other sessions")
    parser.add_argument("--session-cleanup-interval", type=float,
                        help="seconds between sweeps of expired sessions (identity session.cleanup.interval, default 3600)")
    parser.add_argument("--faults", type=fault_rules, help="fault rules for the whole run: JSON or @file")
    parser.add_argument("--check-time-zone", action="store_true", default=None,
                        help="compare access-key Date headers with their zone (rest.checkTimeZone=true)")
    parser.add_argument("--timezone", help="the node's time zone: an IANA name (Asia/Shanghai), UTC or an offset "
                                           "(+08:00); drives the dates it writes and the AccessKey Date check "
                                           "(default: local)")
    parser.add_argument("--tz-offset-minutes", type=int, help="the node's zone as minutes east of UTC (instead of --timezone)")
    parser.add_argument("--date-style", choices=DATE_STYLES, help="how dates are written (default jdk8)")
    parser.add_argument("--log-file", help="log requests here")
    parser.add_argument("--log-level", default="INFO", help="log level for --log-file (default INFO)")
    return parser


def _write_port_file(path, port):
    directory = os.path.dirname(os.path.abspath(path))
    descriptor, temporary = tempfile.mkstemp(prefix=".zstack-sim-port-", dir=directory)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write("%d\n" % port)
    os.replace(temporary, path)


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.log_file:
        logging.basicConfig(filename=args.log_file, level=args.log_level.upper(),
                            format="%(asctime)s %(threadName)s %(levelname)s %(message)s")
    else:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    names = ("token_dir", "latency_ms", "job_delay", "job_ttl", "session_timeout", "max_sessions", "token_lifetime",
             "tls_cert", "tls_key", "advertise_host", "advertise_port", "console_hostname", "console_port",
             "console_scheme", "zstack_version", "unique_session", "session_cleanup_interval", "faults",
             "check_time_zone", "timezone", "tz_offset_minutes", "date_style")
    options = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    try:
        simulator = Simulator(args.seed, host=args.host, port=args.port, **options)
    except (OSError, ValueError, KeyError) as exc:
        print("zstack_simulator: %s" % exc, file=sys.stderr)
        return 2

    stop = threading.Event()

    def _on_signal(signum, frame):  # pylint: disable=unused-argument
        stop.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    try:
        simulator.start()
    except (OSError, ssl.SSLError) as exc:
        print("zstack_simulator: cannot serve on %s:%s: %s" % (args.host, args.port, exc), file=sys.stderr)
        return 2
    try:
        if args.port_file:
            _write_port_file(args.port_file, simulator.port)
        print("zstack simulator listening on %s" % simulator.base_url, flush=True)
        while not stop.wait(0.2):
            pass
    finally:
        simulator.stop()
        if args.port_file:
            try:
                os.remove(args.port_file)
            except FileNotFoundError:
                LOG.debug("port file already removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
