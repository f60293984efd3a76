"""Tests proving the ZStack simulator's wire behaviour (see README.md); run with pytest, < 30 s.

Each rule the simulator copies from ZStack names the ZStack source that shows it (zstackio/zstack paths);
docs/zstack-api-notes.md collects them.
"""

from __future__ import annotations

import concurrent.futures
import datetime
import email.utils
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
import urllib.parse

import pytest
import requests

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import zstack_simulator as zs  # noqa: E402  pylint: disable=wrong-import-position

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "seed.json")
SCRIPT = os.path.join(HERE, "zstack_simulator.py")
with open(SEED, encoding="utf-8") as _seed_file:
    SEED_DATA = json.load(_seed_file)

ADMIN = ("admin", "password")
OPS = ("console-ops", "C0nsole-Ops!")
OPS_KEY = SEED_DATA["accessKeys"][0]
ADMIN_KEY = SEED_DATA["accessKeys"][2]
JAVA_DATE_RE = r"^(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} (AM|PM)$"
LOGIN_PATH = "/zstack/v1/accounts/login"


def vm_uuid(name, state=None):
    return next(vm["uuid"] for vm in SEED_DATA["vms"] if vm["name"] == name and (state is None or vm["state"] == state))


WEB01 = vm_uuid("web-01", "Running")
WEB01_DESTROYED = vm_uuid("web-01", "Destroyed")
WEB02 = vm_uuid("web-02")
DB01 = vm_uuid("db-01")
APP01 = vm_uuid("app-01")
OLD01 = vm_uuid("old-01")
PAUSED01 = vm_uuid("paused-01")
HOSTILE = vm_uuid("../etc/pass wd\u0007;rm -rf")
ADMIN01 = vm_uuid("admin-01")


# ------------------------------------------------------------------------------------------------
# fixtures and helpers
# ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def token_dir(tmp_path_factory):
    return str(tmp_path_factory.mktemp("tokens"))


@pytest.fixture(scope="module")
def server(token_dir):
    sim = zs.Simulator(SEED, job_delay=0.05, token_dir=token_dir)
    sim.start()
    yield sim
    sim.stop()


@pytest.fixture
def sim(server):
    server.reset()
    yield server
    server.reset()


@pytest.fixture
def http():
    with requests.Session() as session:
        yield session


def call(http_session, method, url, **kwargs):
    """An HTTP request with a timeout, on a requests.Session or the module."""
    kwargs.setdefault("timeout", 10)
    return (http_session or requests).request(method, url, **kwargs)


def login_body(account, password):
    return {"logInByAccount": {"accountName": account, "password": zs.password_hash(password)}}


def login(sim, who=ADMIN, http_session=None):
    reply = call(http_session, "PUT", sim.base_url + LOGIN_PATH, json=login_body(*who))
    assert reply.status_code == 200, reply.text
    return reply.json()["inventory"]["uuid"]


def oauth(session_uuid):
    return {"Authorization": "OAuth " + session_uuid}


def signed(key, method, path, date=None):
    date = date or zs.rfc1123_date()
    sign_path = path.split("?")[0][len("/zstack"):]
    return {"Date": date, "Authorization": "ZStack %s:%s" % (key["id"], zs.access_key_signature(key["secret"], method, date, sign_path))}


def post_console(sim, headers, vm, system_tags=None, user_tags=None, http_session=None, extra_headers=None):
    body = {"params": {"vmInstanceUuid": vm}}
    if system_tags is not None:
        body["systemTags"] = system_tags
    if user_tags is not None:
        body["userTags"] = user_tags
    return call(http_session, "POST", sim.base_url + "/zstack/v1/consoles", json=body, headers=dict(headers, **(extra_headers or {})))


def poll(sim, location, headers, timeout=5.0, http_session=None):
    """Poll like the SDKs: keep the path from /zstack/v1/api-jobs on, use our own host and port."""
    path = urllib.parse.urlsplit(location).path
    deadline = time.monotonic() + timeout
    pending = 0
    while True:
        reply = call(http_session, "GET", sim.base_url + path, headers=headers)
        if reply.status_code != 202:
            return reply, pending
        assert reply.json() == {}
        pending += 1
        assert time.monotonic() < deadline, "job never finished"
        time.sleep(0.01)


def console(sim, headers, vm, **kwargs):
    reply = post_console(sim, headers, vm, **kwargs)
    assert reply.status_code == 202, reply.text
    return poll(sim, reply.json()["location"], headers)[0]


def query(sim, headers, params, http_session=None):
    return call(http_session, "GET", sim.base_url + "/zstack/v1/vm-instances", params=params, headers=headers)


def parse_java_date(text):
    return datetime.datetime.strptime(text, "%b %d, %Y %I:%M:%S %p")


def wait_for(predicate, timeout=3.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


# ------------------------------------------------------------------------------------------------
# helpers and formats
# ------------------------------------------------------------------------------------------------

UTC = datetime.timezone.utc


def test_java_date_formats():
    # The strings OpenJDK 17 writes with DateFormat.getDateTimeInstance(DEFAULT, DEFAULT, Locale.US) (gson's default
    # Date format), -Djava.locale.providers=COMPAT for the Java 8 form.
    stamp = datetime.datetime(2026, 11, 28, 16, 51, 20, tzinfo=UTC).timestamp()
    assert zs.java_date(stamp, UTC) == "Nov 28, 2026 4:51:20 PM"
    assert zs.java_date(stamp, zs.fixed_zone(480)) == "Nov 29, 2026 12:51:20 AM"
    assert zs.java_date(stamp, zs.parse_node_timezone("Asia/Shanghai")) == "Nov 29, 2026 12:51:20 AM"
    assert zs.java_date(1796056880, zs.parse_node_timezone("Asia/Kathmandu"), "cldr") == "Nov 30, 2026, 10:26:20 PM"
    assert zs.java_date(stamp, UTC, "cldr") == "Nov 28, 2026, 4:51:20 PM"
    assert zs.java_date(stamp, UTC, "cldr-nnbsp") == "Nov 28, 2026, 4:51:20\u202fPM"
    assert zs.java_date(stamp, UTC, "epoch-ms") == int(stamp * 1000)


@pytest.mark.parametrize("value, minutes", [
    ("UTC", 0), ("Asia/Shanghai", 480), ("+08:00", 480), ("-0530", -330), ("+8", 480), ("GMT+05:45", 345),
])
def test_node_timezone_values(value, minutes):
    zone = zs.parse_node_timezone(value)
    assert zone.utcoffset(datetime.datetime(2026, 11, 30)) == datetime.timedelta(minutes=minutes)


@pytest.mark.parametrize("options", [
    {"timezone": "Mars/Olympus"}, {"timezone": "+15:00"}, {"timezone": "Asia"}, {"timezone": "../etc/passwd"},
    {"timezone": "Asia/Shanghai", "tz_offset_minutes": 480}, {"tz_offset_minutes": 100000},
])
def test_bad_node_timezone_is_refused(options):
    with pytest.raises(ValueError):
        zs.Simulator(SEED, **options)


# Each row was parsed by OpenJDK 17 with RestServer's formatter (DateTimeFormatterBuilder().parseCaseInsensitive()
# .appendPattern("EEE, dd MMM yyyy HH:mm:ss z").toFormatter(Locale.ENGLISH); zstackio/zstack:
# rest/src/main/java/org/zstack/rest/RestServer.java): the zone Java gave, or None where it threw.
JAVA_Z_PARSES = [
    ("GMT", "UTC"), ("UTC", "UTC"), ("Z", "UTC"), ("z", "UTC"), ("GMT0", "UTC"), ("GMT+08:00", "+08:00"),
    ("gmt+08:00", "+08:00"), ("UTC+08:00", "+08:00"), ("UT+08:00", "+08:00"), ("GMT-05:30", "-05:30"),
    ("GMT+08:00:00", "+08:00"), ("+08:00", "+08:00"), ("+08:00:00", "+08:00"), ("+18:00", "+18:00"),
    ("Asia/Shanghai", "Asia/Shanghai"), ("asia/shanghai", "Asia/Shanghai"), ("Asia/Kolkata", "Asia/Kolkata"),
    ("America/New_York", "America/New_York"), ("Etc/UTC", "Etc/UTC"), ("PRC", "PRC"), ("US/Pacific", "US/Pacific"),
    ("CST", "America/Chicago"), ("CDT", "America/Chicago"), ("EST", "America/New_York"), ("JST", "Asia/Tokyo"),
    ("HKT", "Asia/Hong_Kong"), ("CEST", "Europe/Paris"),
    ("GMT+0800", None), ("GMT+8", None), ("UTC+8", None), ("+0800", None), ("+08", None), ("+19:00", None),
    ("GMT+19:00", None), ("UTC0", None), ("UT0", None), ("GMTZ", None), ("Etc/GMT-8", None), ("Etc/GMT+8", None),
    ("Asia/Shanghaix", None), ("China", None),
]


@pytest.mark.parametrize("token, expected", JAVA_Z_PARSES)
def test_date_zone_parsed_as_java_does(token, expected):
    zone = zs.parse_zone(token)
    if expected is None:
        assert zone is None
        return
    when = datetime.datetime(2026, 11, 30, 17, 18, 22)
    if expected.startswith(("+", "-")):
        sign = -1 if expected[0] == "-" else 1
        assert zone.utcoffset(when) == sign * datetime.timedelta(hours=int(expected[1:3]), minutes=int(expected[4:6]))
    elif expected == "UTC":
        assert zone.utcoffset(when) == datetime.timedelta(0)
    else:
        assert str(zone) == expected


@pytest.mark.parametrize("text", [
    "Tue, 30 Nov 2026 17:18:22 GMT",   # Java: the day of week conflicts with the date
    "Mon, 1 Nov 2026 17:18:22 GMT",    # dd: two digits
    "Mon,  30 Nov 2026 17:18:22 GMT",
    "Mon, 30 Nov 26 17:18:22 GMT",
    "Mon, 30 Nov 2026 17:18:22 China Standard Time",
])
def test_dates_java_refuses(text):
    assert zs.parse_request_date(text) is None


def test_date_in_a_dst_gap_moves_on_like_zoned_date_time():
    # 2026-03-08 02:30 does not exist in New York; ZonedDateTime.ofLocal moves it on by the gap: 03:30 EDT.
    naive, zone = zs.parse_request_date("Sun, 08 Mar 2026 02:30:00 America/New_York")
    moved = zs.zoned_local(naive, zone)
    assert moved.replace(tzinfo=None) == datetime.datetime(2026, 3, 8, 3, 30)
    assert moved.utcoffset() == datetime.timedelta(hours=-4)


def test_gson_dumps_escapes_like_gson():
    assert zs.gson_dumps({"a": "x=<y>&'", "b": None, "c": "测试\u0007"}) == '{"a":"x\\u003d\\u003cy\\u003e\\u0026\\u0027","c":"测试\\u0007"}'
    assert zs.gson_dumps({"a": "x=y"}, html_safe=False) == '{"a":"x=y"}'


def test_advertise_host_must_be_loopback():
    with pytest.raises(ValueError):
        zs.Simulator(SEED, advertise_host="10.1.2.3")
    with pytest.raises(TypeError):
        zs.Simulator(SEED, no_such_option=1)


# ------------------------------------------------------------------------------------------------
# transport level
# ------------------------------------------------------------------------------------------------

def test_health_and_no_json_content_type(sim, http):
    assert call(http, "GET", sim.base_url + "/_sim/health").json() == {"status": "ok"}
    session = login(sim, http_session=http)
    reply = query(sim, oauth(session), {"q": "name=web-02"}, http)
    assert reply.status_code == 200
    assert "Content-Type" not in reply.headers
    assert json.loads(reply.content)["inventories"][0]["uuid"] == WEB02


@pytest.mark.parametrize("method, path, headers, body, status, text", [
    ("GET", "/zstack/v1/vm-instances", {}, None, 400, "missing header 'Authorization'"),
    ("GET", "/zstack/v1/vm-instances", {"Authorization": "oauth abc"}, None, 400, "Authorization type must be 'OAuth'"),
    ("GET", "/zstack/v1/vm-instances", {"Authorization": "Bearer abc"}, None, 400, "Authorization type must be 'OAuth'"),
    ("GET", "/zstack/v1/no-such-thing", {}, None, 404, "no api mapping to /v1/no-such-thing"),
    ("PATCH", "/zstack/v1/vm-instances", {}, None, 405, "The method[PATCH] is not allowed for the path[/zstack/v1/vm-instances]"),
    ("POST", "/zstack/v1/api-jobs/0123456789abcdef0123456789abcdef", {}, None, 405, "only GET method is allowed for querying job status"),
    ("POST", "/zstack/v1/consoles", {"Authorization": "OAuth x"}, b"vmInstanceUuid=abc", 500, "MalformedJsonException"),
    ("POST", "/zstack/v1/consoles", {}, b"[1, 2]", 500, "Expected BEGIN_OBJECT but was BEGIN_ARRAY"),
])
def test_plain_text_transport_errors(sim, method, path, headers, body, status, text):
    reply = call(None, method, sim.base_url + path, headers=headers, data=body)
    assert reply.status_code == status
    assert text in reply.text
    assert "Content-Type" not in reply.headers
    with pytest.raises(ValueError):
        json.loads(reply.text)


# ------------------------------------------------------------------------------------------------
# login, sessions
# ------------------------------------------------------------------------------------------------

def test_login_account_returns_session_inventory(sim):
    reply = call(None, "PUT", sim.base_url + LOGIN_PATH, json=login_body(*ADMIN))
    assert reply.status_code == 200
    inventory = reply.json()["inventory"]
    assert set(inventory) == {"uuid", "accountUuid", "userUuid", "expiredDate", "createDate"}
    assert len(inventory["uuid"]) == 32 and int(inventory["uuid"], 16) >= 0
    assert inventory["accountUuid"] == inventory["userUuid"] == "36c27e8ff05c4780bf6d2fa65700f22e"
    assert re.match(JAVA_DATE_RE, inventory["expiredDate"]) and re.match(JAVA_DATE_RE, inventory["createDate"])
    delta = parse_java_date(inventory["expiredDate"]) - parse_java_date(inventory["createDate"])
    assert delta == datetime.timedelta(hours=2)
    assert sim.state["sessions"][0]["account"] == "admin"


@pytest.mark.parametrize("body, code", [
    ({"logInByAccount": {"accountName": "admin", "password": "password"}}, "ID.1000"),
    ({"logInByAccount": {"accountName": "nobody", "password": zs.password_hash("password")}}, "ID.1000"),
    ({"logInByAccount": {"accountName": "admin"}}, "SYS.1007"),
    ({"accountName": "admin", "password": zs.password_hash("password")}, "SYS.1007"),
])
def test_login_failures(sim, body, code):
    reply = call(None, "PUT", sim.base_url + "/zstack/v1/accounts/login", json=body)
    assert reply.status_code == 503
    error = reply.json()["error"]
    assert error["code"] == code and error["description"] and error["details"]
    assert sim.state["counters"]["login_failures"] == 1 and not sim.state["sessions"]


def test_login_iam_user(sim):
    body = {"logInByUser": {"accountName": "console-ops", "userName": "vnc-viewer", "password": zs.password_hash("Vnc-Viewer!1")}}
    reply = call(None, "PUT", sim.base_url + "/zstack/v1/accounts/users/login", json=body)
    assert reply.status_code == 200
    inventory = reply.json()["inventory"]
    assert inventory["accountUuid"] == "fb24039ef01f41169a4896bfd86cd203"
    assert inventory["userUuid"] == "610fcc91716c497aa8106c65007635b7"
    body["logInByUser"]["password"] = "Vnc-Viewer!1"
    reply = call(None, "PUT", sim.base_url + "/zstack/v1/accounts/users/login", json=body)
    assert reply.status_code == 503 and reply.json()["error"]["code"] == "ID.1000"
    assert sim.state["sessions"][0]["user"] == "vnc-viewer"


def test_unknown_session_is_503_session_expired(sim):
    reply = query(sim, oauth("0" * 32), {})
    assert reply.status_code == 503
    assert reply.json()["error"]["code"] == "ID.1001"
    assert reply.json()["error"]["details"] == "Session expired"


def test_idle_timeout_is_renewed_by_each_call(sim):
    sim.configure(session_timeout=0.6)
    headers = oauth(login(sim))
    for attempt in range(3):
        time.sleep(0.3)
        assert query(sim, headers, {"limit": "1"}).status_code == 200, attempt
    time.sleep(0.8)
    reply = query(sim, headers, {})
    assert reply.status_code == 503 and reply.json()["error"]["code"] == "ID.1001"


def test_max_sessions_per_user(sim):
    sim.configure(max_sessions=2)
    first = login(sim)
    login(sim)
    reply = call(None, "PUT", sim.base_url + LOGIN_PATH, json=login_body(*ADMIN))
    assert reply.status_code == 503 and reply.json()["error"]["code"] == "ID.1006"
    login(sim, OPS)  # another user is not affected
    assert call(None, "DELETE", sim.base_url + "/zstack/v1/accounts/sessions/" + first).status_code == 200
    login(sim)


def test_logout_and_valid(sim, token_dir):
    session = login(sim, OPS)
    valid_url = sim.base_url + "/zstack/v1/accounts/sessions/%s/valid" % session
    assert call(None, "GET", valid_url).json() == {"valid": True}
    token = console(sim, oauth(session), WEB01).json()["inventory"]["token"]
    assert os.path.exists(os.path.join(token_dir, token))
    reply = call(None, "DELETE", sim.base_url + "/zstack/v1/accounts/sessions/" + session)
    assert reply.status_code == 200 and reply.json() == {}
    assert call(None, "GET", valid_url).json() == {"valid": False}
    assert not os.path.exists(os.path.join(token_dir, token))
    state = sim.state
    assert state["consoles"] == [] and state["counters"]["logouts"] == 1
    assert state["counters"]["consoles_deleted"] == {"logout": 1}
    assert query(sim, oauth(session), {}).json()["error"]["code"] == "ID.1001"


def test_expired_session_is_logged_out_when_used(sim, token_dir):
    """Expiry alone ends nothing: Session.checkSessionExpired, on the next API call with the session, logs it out
    through Session.logout, whose SessionLogoutExtensionPoint (ConsoleManagerImpl.sessionLogout) deletes its
    consoles (zstackio/zstack: identity/src/main/java/org/zstack/identity/Session.java)."""
    session = login(sim, OPS)
    token = console(sim, oauth(session), WEB02).json()["inventory"]["token"]
    assert call(None, "POST", sim.base_url + "/_sim/sessions/%s/expire" % session).status_code == 200
    assert os.path.exists(os.path.join(token_dir, token))
    assert [s["expired"] for s in sim.state["sessions"]] == [True]
    assert query(sim, oauth(session), {}).json()["error"]["code"] == "ID.1001"
    assert not os.path.exists(os.path.join(token_dir, token))
    assert sim.state["counters"]["consoles_deleted"] == {"session_expired": 1}
    assert call(None, "POST", sim.base_url + "/_sim/sessions/%s/expire" % session).status_code == 404


def test_valid_logs_an_expired_session_out(sim, token_dir):
    """AccountManagerImpl.handle(APIValidateSessionMsg) is Session.checkSessionExpired: it logs out (hook included)."""
    session = login(sim, OPS)
    console(sim, oauth(session), WEB02)
    sim.expire_session(session)
    assert call(None, "GET", sim.base_url + "/zstack/v1/accounts/sessions/%s/valid" % session).json() == {"valid": False}
    assert os.listdir(token_dir) == [] and sim.state["sessions"] == []


def test_sweep_deletes_expired_sessions_without_the_logout_hook(sim, token_dir):
    """Session.startCleanUpStaleSessionTask: every session.cleanup.interval a bulk "delete from SessionVO" of the
    expired sessions, no SessionLogoutExtensionPoint: their consoles live on until their own expiry."""
    sim.configure(token_lifetime=1.0)
    session = login(sim, OPS)
    token = console(sim, oauth(session), WEB02).json()["inventory"]["token"]
    sim.expire_session(session)
    reply = call(None, "POST", sim.base_url + "/_sim/sessions/sweep")
    assert reply.status_code == 200 and reply.json() == {"swept": [session]}
    state = sim.state
    assert state["sessions"] == [] and state["counters"]["sessions_ended"] == {"swept": 1}
    assert os.listdir(token_dir) == [token] and [c["token"] for c in state["consoles"]] == [token]
    assert query(sim, oauth(session), {}).json()["error"]["code"] == "ID.1001"
    assert os.listdir(token_dir) == [token]  # the session is gone: nothing left to log out
    wait_for(lambda: not os.listdir(token_dir), timeout=3)
    assert sim.state["counters"]["consoles_deleted"] == {"expired": 1}


def test_periodic_sweep_runs_every_cleanup_interval(sim, token_dir):
    sim.configure(session_timeout=0.2, session_cleanup_interval=0.3, token_lifetime=30)
    session = login(sim, OPS)
    console(sim, oauth(session), WEB02)
    wait_for(lambda: sim.state["sessions"] == [], timeout=3)
    assert sim.state["counters"]["sessions_ended"] == {"swept": 1}
    assert len(os.listdir(token_dir)) == 1 and len(sim.state["consoles"]) == 1


def test_max_sessions_counts_expired_sessions_not_yet_swept(sim):
    """Session.login counts the SessionVO rows of the user, expired ones the cleanup has not deleted included."""
    sim.configure(max_sessions=1)
    first = login(sim, OPS)
    sim.expire_session(first)
    reply = call(None, "PUT", sim.base_url + LOGIN_PATH, json=login_body(*OPS))
    assert reply.status_code == 503 and reply.json()["error"]["code"] == "ID.1006"
    sim.sweep_sessions()
    login(sim, OPS)


def test_unique_session_logs_out_the_users_other_sessions(sim, token_dir):
    """identity enable.unique.session (default false, conf/globalConfig/identity.xml): Session.login first calls
    Session.logout for each session of the same user uuid, the logout hook included, so their consoles go."""
    first = login(sim, OPS)
    second = login(sim, OPS)  # off by default: both live
    assert query(sim, oauth(first), {"limit": "1"}).status_code == 200
    call(None, "DELETE", sim.base_url + "/zstack/v1/accounts/sessions/" + second)
    assert call(None, "POST", sim.base_url + "/_sim/config", json={"unique_session": True}).json()["unique_session"] is True
    token = console(sim, oauth(first), WEB01).json()["inventory"]["token"]
    admin_session = login(sim, ADMIN)
    user_body = {"logInByUser": {"accountName": "console-ops", "userName": "vnc-viewer", "password": zs.password_hash("Vnc-Viewer!1")}}
    assert call(None, "PUT", sim.base_url + "/zstack/v1/accounts/users/login", json=user_body).status_code == 200
    assert os.listdir(token_dir) == [token]  # another user (the admin, an IAM user of the account) changes nothing
    newest = login(sim, OPS)
    assert os.listdir(token_dir) == []
    assert query(sim, oauth(first), {}).json()["error"]["code"] == "ID.1001"
    assert query(sim, oauth(newest), {"limit": "1"}).status_code == 200
    assert query(sim, oauth(admin_session), {"limit": "1"}).status_code == 200
    counters = sim.state["counters"]
    assert counters["consoles_deleted"] == {"unique_session": 1} and counters["sessions_ended"]["unique_session"] == 1


# ------------------------------------------------------------------------------------------------
# queries
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("conditions, expected", [
    (["name=web-01"], {WEB01, WEB01_DESTROYED}),
    (["name=web-01", "state!=Destroyed"], {WEB01}),
    (["name=WEB-01 ", "state=running"], {WEB01}),  # MySQL utf8_general_ci: case and trailing spaces ignored
    (["name?=web-01,db-01", "state=Running"], {WEB01, DB01}),
    (["name!?=web-01,dup-01,测试-01,../etc/pass wd\u0007;rm -rf,admin-01", "state!=Destroyed"], {WEB02, DB01, APP01, PAUSED01}),
    (["name~=dup%"], {vm["uuid"] for vm in SEED_DATA["vms"] if vm["name"] == "dup-01"}),
    (["name~=w_b-0%", "name!~=%2"], {WEB01, WEB01_DESTROYED}),
    (["memorySize>2147483648"], {DB01}),
    (["cpuNum>=4"], {DB01}),
    (["cpuNum<4", "name=web-0%"], set()),
    (["cpuNum<=2", "name~=web-0%"], {WEB01, WEB01_DESTROYED, WEB02}),
    (["hostUuid is null"], {APP01, OLD01, WEB01_DESTROYED}),
    (["hostUuid not null", "state=Paused"], {PAUSED01}),
    (["name=../etc/pass wd\u0007;rm -rf"], {HOSTILE}),
    (["name=测试-01"], {vm_uuid("测试-01")}),
])
def test_query_operators(sim, conditions, expected):
    reply = query(sim, oauth(login(sim)), [("q", c) for c in conditions])
    assert reply.status_code == 200, reply.text
    assert {vm["uuid"] for vm in reply.json()["inventories"]} == expected


def test_query_raw_url_encoding_and_paging(sim):
    headers = oauth(login(sim))
    raw = "/zstack/v1/vm-instances?q=name%3D..%2Fetc%2Fpass+wd%07%3Brm+-rf&q=state!%3DDestroyed"
    assert [vm["uuid"] for vm in call(None, "GET", sim.base_url + raw, headers=headers).json()["inventories"]] == [HOSTILE]
    body = query(sim, headers, {"limit": "2", "start": "1", "replyWithCount": "true"}).json()
    assert body["total"] == len(SEED_DATA["vms"]) and len(body["inventories"]) == 2
    assert body["inventories"][0]["uuid"] == SEED_DATA["vms"][1]["uuid"]
    assert set(body["schema"]) == {"inventories[0]", "inventories[1]"}
    assert query(sim, headers, {"count": "true", "q": "name=dup-01"}).json()["total"] == 2
    assert query(sim, headers, {"fields": "uuid,name", "q": "name=db-01"}).json()["inventories"] == [{"uuid": DB01, "name": "db-01"}]
    names = [vm["name"] for vm in query(sim, headers, {"sort": "-name", "q": "name~=web%"}).json()["inventories"]]
    assert names == ["web-02", "web-01", "web-01"]


def test_query_inventory_shape(sim):
    inventories = query(sim, oauth(login(sim)), {"q": "name=app-01"}).json()["inventories"]
    vm = inventories[0]
    assert vm["state"] == "Stopped" and "hostUuid" not in vm and vm["lastHostUuid"]  # null fields are left out
    assert re.match(JAVA_DATE_RE, vm["createDate"]) and vm["vmNics"] == [] and vm["memorySize"] == 2147483648


@pytest.mark.parametrize("params, status, fragment", [
    ({"q": "nosuchfield=1"}, 503, "SYS.1000"),
    ({"limit": "ten"}, 400, "'limit' must be an integer"),
    ({"start": "x"}, 400, "'start' must be an integer"),
    ({"q": "name"}, 400, "doesn't contain any query operator"),
    ({"q": "name="}, 400, "is not a key-value pair split by ="),
])
def test_query_errors(sim, params, status, fragment):
    reply = query(sim, oauth(login(sim)), params)
    assert reply.status_code == status and fragment in reply.text


def test_account_sees_only_its_vms_and_get_by_uuid(sim):
    ops = oauth(login(sim, OPS))
    uuids = {vm["uuid"] for vm in query(sim, ops, {}).json()["inventories"]}
    assert ADMIN01 not in uuids and len(uuids) == len(SEED_DATA["vms"]) - 1
    reply = call(None, "GET", sim.base_url + "/zstack/v1/vm-instances/" + WEB01, headers=ops)
    assert [vm["name"] for vm in reply.json()["inventories"]] == ["web-01"]
    assert call(None, "GET", sim.base_url + "/zstack/v1/vm-instances/" + "f" * 32, headers=ops).json()["inventories"] == []
    assert call(None, "GET", sim.base_url + "/zstack/v1/vm-instances/" + ADMIN01, headers=ops).json()["inventories"] == []


# ------------------------------------------------------------------------------------------------
# consoles and async jobs
# ------------------------------------------------------------------------------------------------

def test_console_happy_path(sim, token_dir):
    session = login(sim, OPS)
    headers = oauth(session)
    reply = post_console(sim, headers, WEB01, system_tags=["tag::a"], user_tags=["ansible"])
    assert reply.status_code == 202 and "Content-Type" not in reply.headers
    location = reply.json()["location"]
    parts = urllib.parse.urlsplit(location)
    assert parts.netloc == "127.0.0.2:8080" and parts.path.startswith("/zstack/v1/api-jobs/")
    assert parts.netloc != "127.0.0.1:%d" % sim.port
    final, pending = poll(sim, location, headers)
    assert pending >= 1
    assert final.status_code == 200
    inventory = final.json()["inventory"]
    assert inventory["token"] == "%s_%s" % (session, WEB01)
    assert inventory["port"] == 4900 and isinstance(inventory["port"], int)
    assert (inventory["scheme"], inventory["hostname"], inventory["targetScheme"]) == ("http", "127.0.0.1", "vnc")
    assert inventory["version"] == zs.DEFAULT_ZSTACK_VERSION and re.match(JAVA_DATE_RE, inventory["expiredDate"])
    path = os.path.join(token_dir, inventory["token"])
    with open(path, encoding="utf-8") as handle:
        assert handle.read() == "%s: 127.0.0.1:5900" % inventory["token"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    state = sim.state
    assert state["consoles"][0]["system_tags"] == ["tag::a"] and state["consoles"][0]["user_tags"] == ["ansible"]
    assert state["console_requests"][0]["user_tags"] == ["ansible"]


def test_same_vm_returns_same_token_with_refreshed_expiry(sim):
    sim.configure(token_lifetime=60)
    first_session = login(sim, OPS)
    first = console(sim, oauth(first_session), DB01).json()["inventory"]
    first_expiry = sim.state["consoles"][0]["expiry"]
    time.sleep(0.05)
    again = console(sim, oauth(first_session), DB01).json()["inventory"]
    assert again["token"] == first["token"]
    assert sim.state["consoles"][0]["expiry"] > first_expiry
    # ConsoleProxyVO is per VM: another session gets the live proxy, token and all (AbstractConsoleProxyBackend).
    other = console(sim, oauth(login(sim, OPS)), DB01).json()["inventory"]
    assert other["token"] == first["token"]
    assert sim.state["counters"]["consoles_created"] == 1
    call(None, "DELETE", sim.base_url + "/zstack/v1/accounts/sessions/" + first_session)
    assert sim.state["consoles"] == []


@pytest.mark.parametrize("vm, code, fragment", [
    (APP01, "SYS.1006", "is not in state of [Running, Crashed, VolumeRecovering, Paused, NoState], current state is Stopped"),
    (OLD01, "SYS.1006", "current state is Destroyed"),
    ("0123456789abcdef0123456789abcdef", "SYS.1003", "resource[uuid:0123456789abcdef0123456789abcdef, type:VmInstanceVO] not found"),
    (ADMIN01, "ID.1002", "doesn't belong to the account"),
])
def test_console_errors_come_from_the_job(sim, vm, code, fragment):
    headers = oauth(login(sim, OPS))
    reply = post_console(sim, headers, vm)
    assert reply.status_code == 202
    final = poll(sim, reply.json()["location"], headers)[0]
    assert final.status_code == 503
    error = final.json()["error"]
    assert error["code"] == code and fragment in error["details"]
    assert sim.state["consoles"] == []


def test_console_paused_vm_is_allowed(sim):
    assert console(sim, oauth(login(sim, OPS)), PAUSED01).status_code == 200


def test_flat_body_fails_in_the_job_with_sys1007(sim):
    headers = oauth(login(sim, OPS))
    reply = call(None, "POST", sim.base_url + "/zstack/v1/consoles", json={"vmInstanceUuid": WEB01}, headers=headers)
    assert reply.status_code == 202
    final = poll(sim, reply.json()["location"], headers)[0]
    assert final.status_code == 503
    error = final.json()["error"]
    assert error["code"] == "SYS.1007" and "field[vmInstanceUuid]" in error["details"] and "is mandatory" in error["details"]


def test_invalid_session_on_async_api_fails_in_the_job(sim):
    headers = oauth("f" * 32)
    reply = post_console(sim, headers, WEB01)
    assert reply.status_code == 202
    final = poll(sim, reply.json()["location"], {})[0]  # the job query itself needs no Authorization
    assert final.status_code == 503 and final.json()["error"]["code"] == "ID.1001"


VALIDATION_ONLY = "ephemeral::validationOnly"


def test_validation_only_creates_nothing(sim, token_dir):
    """PortalSystemTags.VALIDATION_ONLY = new EphemeralSystemTag("validationOnly"), "ephemeral::" + format
    (zstackio/zstack: portal/src/main/java/org/zstack/portal/apimediator/PortalSystemTags.java,
    tag/src/main/java/org/zstack/tag/EphemeralSystemTag.java). ApiMediatorImpl.dispatchMessage runs the
    interceptors, then publishes a bare APIEvent instead of routing the message
    (portal/src/main/java/org/zstack/portal/apimediator/ApiMediatorImpl.java); RestServer maps a bare APIEvent
    to no fields, so the job answers 200 {} (rest/src/main/java/org/zstack/rest/RestServer.java)."""
    headers = oauth(login(sim, OPS))
    final = console(sim, headers, WEB02, system_tags=[VALIDATION_ONLY])
    assert final.status_code == 200 and final.json() == {}
    assert sim.state["consoles"] == [] and os.listdir(token_dir) == []
    assert sim.state["counters"]["consoles_created"] == 0
    assert sim.state["console_requests"][0]["system_tags"] == [VALIDATION_ONLY]
    final = console(sim, headers, APP01, system_tags=[VALIDATION_ONLY])
    assert final.status_code == 503 and final.json()["error"]["code"] == "SYS.1006"


@pytest.mark.parametrize("tag", ["validationOnly", "Ephemeral::validationOnly", "ephemeral::validationonly",
                                 " ephemeral::validationOnly"])
def test_other_spellings_do_not_validate_and_a_console_is_created(sim, token_dir, tag):
    """NeedReplyMessage.hasSystemTag(String) is systemTags.contains(tag): an exact match
    (zstackio/zstack: header/src/main/java/org/zstack/header/message/NeedReplyMessage.java). The console API is
    not an APICreateMessage, so TagManagerImpl's system-tag check never sees the unknown tag
    (tag/src/main/java/org/zstack/tag/TagManagerImpl.java): it is ignored and a live console is made."""
    final = console(sim, oauth(login(sim, OPS)), WEB02, system_tags=[tag])
    assert final.status_code == 200 and final.json()["inventory"]["token"]
    assert sim.state["counters"]["consoles_created"] == 1 and len(os.listdir(token_dir)) == 1


@pytest.mark.parametrize("body, validates, system_tags, user_tags", [
    # RestServer.handleApi builds the message from body["params"] (rehashObject), so tags inside params are read;
    # then, for methods other than GET and DELETE, a top-level systemTags / userTags that is not null replaces them
    # (zstackio/zstack: rest/src/main/java/org/zstack/rest/RestServer.java, handleApi).
    ({"params": {"vmInstanceUuid": WEB02, "systemTags": [VALIDATION_ONLY]}}, True, [VALIDATION_ONLY], []),
    ({"params": {"vmInstanceUuid": WEB02}, "systemTags": [VALIDATION_ONLY]}, True, [VALIDATION_ONLY], []),
    ({"params": {"vmInstanceUuid": WEB02, "systemTags": [VALIDATION_ONLY]}, "systemTags": ["a::b"]}, False, ["a::b"], []),
    ({"params": {"vmInstanceUuid": WEB02, "systemTags": [VALIDATION_ONLY]}, "systemTags": None}, True, [VALIDATION_ONLY], []),
    ({"params": {"vmInstanceUuid": WEB02, "systemTags": [VALIDATION_ONLY]}, "systemTags": []}, False, [], []),
    ({"params": {"vmInstanceUuid": WEB02, "userTags": ["p"]}, "userTags": ["top"]}, False, [], ["top"]),
    ({"params": {"vmInstanceUuid": WEB02, "userTags": ["p"]}}, False, [], ["p"]),
])
def test_tags_from_params_then_top_level_replaces(sim, body, validates, system_tags, user_tags):
    headers = oauth(login(sim, OPS))
    reply = call(None, "POST", sim.base_url + "/zstack/v1/consoles", json=body, headers=headers)
    assert reply.status_code == 202
    final = poll(sim, reply.json()["location"], headers)[0]
    assert final.status_code == 200
    assert (final.json() == {}) is validates
    assert sim.state["counters"]["consoles_created"] == (0 if validates else 1)
    request = sim.state["console_requests"][0]
    assert (request["system_tags"], request["user_tags"]) == (system_tags, user_tags)


@pytest.mark.parametrize("body, text", [
    ({"params": {"vmInstanceUuid": WEB02}, "systemTags": "ephemeral::validationOnly"}, "ClassCastException"),
    ({"params": {"vmInstanceUuid": WEB02, "systemTags": "x"}}, "JsonSyntaxException"),
])
def test_tags_that_are_not_lists_are_500(sim, body, text):
    reply = call(None, "POST", sim.base_url + "/zstack/v1/consoles", json=body, headers=oauth(login(sim, OPS)))
    assert reply.status_code == 500 and text in reply.text
    assert sim.state["counters"]["consoles_created"] == 0


def test_x_job_uuid_header(sim):
    headers = oauth(login(sim, OPS))
    job = zs.new_uuid()
    reply = post_console(sim, headers, WEB01, extra_headers={"X-Job-UUID": job})
    assert reply.status_code == 202 and reply.json()["location"].endswith("/api-jobs/" + job)
    reused = post_console(sim, headers, WEB01, extra_headers={"X-Job-UUID": job})
    assert reused.status_code == 400 and "Duplicate job uuid" in reused.text
    malformed = post_console(sim, headers, WEB01, extra_headers={"X-Job-UUID": "1234"})
    assert malformed.status_code == 400 and "X-Job-UUID" in malformed.text


def test_jobs_expire_after_ttl(sim):
    sim.configure(job_ttl=0.2)
    headers = oauth(login(sim, OPS))
    location = post_console(sim, headers, WEB01).json()["location"]
    assert poll(sim, location, headers)[0].status_code == 200
    time.sleep(0.35)
    reply = call(None, "GET", sim.base_url + urllib.parse.urlsplit(location).path, headers=headers)
    assert reply.status_code == 404 and reply.text == "the job has been expired"
    assert call(None, "GET", sim.base_url + "/zstack/v1/api-jobs/" + zs.new_uuid()).status_code == 404


def test_token_expiry_removes_the_token_file(sim, token_dir):
    sim.configure(token_lifetime=0.3)
    token = console(sim, oauth(login(sim, OPS)), HOSTILE).json()["inventory"]["token"]
    assert os.listdir(token_dir) == [token]
    wait_for(lambda: not os.listdir(token_dir))
    assert sim.state["counters"]["consoles_deleted"] == {"expired": 1}


def test_stopping_a_vm_deletes_its_console(sim, token_dir):
    console(sim, oauth(login(sim, OPS)), WEB02)
    reply = call(None, "POST", sim.base_url + "/_sim/vms/" + WEB02, json={"state": "Stopped", "hostUuid": None})
    assert reply.status_code == 200 and reply.json()["state"] == "Stopped"
    assert os.listdir(token_dir) == [] and sim.state["consoles"] == []


def test_admin_delete_console(sim, token_dir):
    token = console(sim, oauth(login(sim, OPS)), WEB01).json()["inventory"]["token"]
    assert call(None, "DELETE", sim.base_url + "/_sim/consoles/" + token).status_code == 200
    assert os.listdir(token_dir) == []
    assert call(None, "DELETE", sim.base_url + "/_sim/consoles/" + token).status_code == 404


# ------------------------------------------------------------------------------------------------
# the node's version, console schemes, direct consoles, console addresses
# ------------------------------------------------------------------------------------------------

VERSION_PATH = "/zstack/v1/management-nodes/actions"


def test_get_version_needs_no_credentials(sim):
    """APIGetVersionMsg: @SuppressCredentialCheck, an APISyncCallMessage on PUT /management-nodes/actions; the reply
    maps every field of APIGetVersionReply (fieldsTo all), written as gson writes ApiResponse, a HashMap
    (zstackio/zstack: header/src/main/java/org/zstack/header/managementnode/APIGetVersionMsg.java,
    portal/src/main/java/org/zstack/portal/apimediator/ApiMediatorImpl.java: dbf.getDbVersion())."""
    reply = call(None, "PUT", sim.base_url + VERSION_PATH, json={"getVersion": {}})
    assert reply.status_code == 200 and reply.text == '{"success":true,"version":"5.2.1"}'
    sim.configure(zstack_version="3.10.38")
    assert call(None, "PUT", sim.base_url + VERSION_PATH, json={"getVersion": {}}).json()["version"] == "3.10.38"
    reply = call(None, "PUT", sim.base_url + VERSION_PATH, json={"getVersions": {}})
    assert reply.status_code == 400
    assert reply.text == "the body doesn't contain action mapping to the URL[/v1/management-nodes/actions]"
    reply = call(None, "PUT", sim.base_url + VERSION_PATH, data=b"")  # gson: null; m.containsKey: a message-less NPE
    assert reply.status_code == 500 and reply.text == ""
    assert sim.state["sessions"] == []


@pytest.mark.parametrize("value", ["4", "4.x", "v4.8.0", "4.8.0-rc1", "", None])
def test_bad_zstack_version_is_refused(sim, value):
    with pytest.raises(ValueError):
        sim.configure(zstack_version=value)


@pytest.mark.parametrize("options", [{"console_scheme": "https"}, {"console_scheme": "wss"}])
def test_a_proxied_console_is_always_http(sim, options):
    """ManagementServerConsoleProxyBackend.getConsoleProxy sets scheme "http" for every proxied console; a
    certificate on the proxy (console_proxy_agent.py starts websockify with --cert, which then takes ws and wss on
    the same port) does not show in the reply: the simulator cannot be told to answer https."""
    assert console(sim, oauth(login(sim, OPS)), WEB01).json()["inventory"]["scheme"] == "http"
    with pytest.raises(ValueError, match="http"):
        zs.Simulator(SEED, **options)
    reply = call(None, "POST", sim.base_url + "/_sim/config", json=options)
    assert reply.status_code == 400 and "always" in reply.json()["error"]


CONSOLE_KEYS = ["scheme", "targetScheme", "hostname", "port", "token", "version", "expiredDate"]


@pytest.mark.parametrize("version, keys, suffixed", [
    ("3.10.38", ["scheme", "hostname", "port", "token"], True),
    ("4.0.0", ["scheme", "hostname", "port", "token"], True),
    ("4.1.0", ["scheme", "targetScheme", "hostname", "port", "token"], True),
    ("4.3.12", CONSOLE_KEYS[:-1], True),
    ("4.8.18", CONSOLE_KEYS[:-1], True),
    ("5.0.0", CONSOLE_KEYS, False),
    ("5.2.1", CONSOLE_KEYS, False),
])
def test_console_inventory_follows_the_node_version(sim, token_dir, version, keys, suffixed):
    """ConsoleInventory on the release branches: targetScheme from 4.1, version (the database version) from
    4.3.12, expiredDate from 5.0; before 5.0 the token is the console proxy agent's "<session>_<vm>_<expiry>"
    (zstack-utility consoleproxy/consoleproxy/console_proxy_agent.py, ConsoleTokenFile)."""
    sim.configure(zstack_version=version)
    session = login(sim, OPS)
    before = time.time()
    inventory = console(sim, oauth(session), WEB01).json()["inventory"]
    assert list(inventory) == keys and inventory["scheme"] == "http" and inventory["port"] == 4900
    if "version" in inventory:
        assert inventory["version"] == version
    if suffixed:
        prefix, stamp = inventory["token"].rsplit("_", 1)
        assert prefix == "%s_%s" % (session, WEB01) and re.fullmatch(r"\d{10}\.\d{1,2}", stamp)
        assert before + 1800 - 1 < float(stamp) < time.time() + 1800 + 1
    else:
        assert inventory["token"] == "%s_%s" % (session, WEB01)
    assert os.listdir(token_dir) == [inventory["token"]]


def test_before_5_0_the_agent_reuses_a_live_token_and_renames_an_expired_one(sim, token_dir):
    """4.8: the agent hands back a live token file unchanged (same name, same expiry); once its timer deleted the
    file, the ConsoleProxyVO (no expiry column before 5.0) is still there, and the next request gets a new file
    with the same "<session>_<vm>" prefix, the first session's, whoever asks."""
    sim.configure(zstack_version="4.8.0", token_lifetime=0.6)
    first_session = login(sim, OPS)
    first = console(sim, oauth(first_session), DB01).json()["inventory"]["token"]
    expiry = sim.state["consoles"][0]["expiry"]
    again = console(sim, oauth(login(sim, OPS)), DB01).json()["inventory"]["token"]
    assert again == first and sim.state["consoles"][0]["expiry"] == expiry
    wait_for(lambda: not os.listdir(token_dir), timeout=3)
    assert sim.state["consoles"][0]["stale"] is True
    renewed = console(sim, oauth(login(sim, OPS)), DB01).json()["inventory"]["token"]
    assert renewed != first and renewed.startswith("%s_%s_" % (first_session, DB01))
    assert os.listdir(token_dir) == [renewed] and sim.state["counters"]["consoles_created"] == 1
    call(None, "DELETE", sim.base_url + "/zstack/v1/accounts/sessions/" + first_session)
    assert os.listdir(token_dir) == [] and sim.state["consoles"] == []


DIRECT_URL = "wss://ESX-01.example.test:443/ticket/5f3a%2Bb?session=x"


def test_direct_console(sim, token_dir):
    """ConsoleProxyBase.doEstablishDirectConsoleConnection: scheme and targetScheme the URL's scheme, hostname and
    port its host and port, token URI.getPath() (decoded, no query), version the URL's own; no proxy, no token file."""
    reply = call(None, "POST", sim.base_url + "/_sim/vms/" + WEB01,
                 json={"directConsoleUrl": DIRECT_URL, "directConsoleVersion": "7.0.3"})
    assert reply.status_code == 200 and reply.json()["directConsoleUrl"] == DIRECT_URL
    inventory = console(sim, oauth(login(sim, OPS)), WEB01).json()["inventory"]
    assert {k: v for k, v in inventory.items() if k != "expiredDate"} == {
        "scheme": "wss", "targetScheme": "wss", "hostname": "ESX-01.example.test", "port": 443, "token": "/ticket/5f3a+b",
        "version": "7.0.3"}
    assert re.match(JAVA_DATE_RE, inventory["expiredDate"])
    assert os.listdir(token_dir) == [] and sim.state["consoles"] == []
    call(None, "POST", sim.base_url + "/_sim/vms/" + WEB01,
         json={"directConsoleUrl": "wss://[fd00::5]:8443/t/1", "directConsoleVersion": None})
    inventory = console(sim, oauth(login(sim, OPS)), WEB01).json()["inventory"]
    assert (inventory["hostname"], inventory["port"], inventory["token"]) == ("[fd00::5]", 8443, "/t/1")
    assert "version" not in inventory


def test_direct_console_without_a_port_fails_and_older_nodes_proxy(sim):
    call(None, "POST", sim.base_url + "/_sim/vms/" + WEB01, json={"directConsoleUrl": "wss://esx-01.example.test/ticket/1"})
    final = console(sim, oauth(login(sim, OPS)), WEB01)
    assert final.status_code == 503
    assert final.json()["error"] == {"code": "SYS.1006", "description": "An operation failed",
                                     "details": "establish VNC: unexpected uri: wss://esx-01.example.test/ticket/1"}
    sim.configure(zstack_version="4.3.10")  # no direct consoles before 4.3.12: the proxy as always
    assert console(sim, oauth(login(sim, OPS)), WEB01).json()["inventory"]["scheme"] == "http"
    assert call(None, "POST", sim.base_url + "/_sim/vms/" + WEB01, json={"consoleProtocol": "rdp"}).status_code == 400


def test_console_addresses_and_a_spice_vm(sim, token_dir):
    """APIGetVmConsoleAddressMsg names the protocol; RequestConsoleAccess does not: KVMConsoleHypervisorBackend
    builds vnc://<host ip>:<port>/ for every VM, the port being the VNC port or else the SPICE port
    (zstack-utility kvmagent/kvmagent/plugins/vm_plugin.py, get_console_port), so targetScheme is "vnc"."""
    headers = oauth(login(sim, OPS))
    url = sim.base_url + "/zstack/v1/vm-instances/%s/console-addresses"
    reply = call(None, "GET", url % WEB01, headers=headers)
    assert reply.status_code == 200 and reply.json() == {
        "hostIp": "127.0.0.1", "port": 5900, "protocol": "vnc", "vdiPortInfo": {"vncPort": 5900}, "success": True}
    call(None, "POST", sim.base_url + "/_sim/vms/" + WEB02,
         json={"consoleProtocol": "spice", "vncPort": None, "spicePort": 5911, "spiceTlsPort": 5912})
    reply = call(None, "GET", url % WEB02, headers=headers).json()
    assert (reply["protocol"], reply["port"], reply["vdiPortInfo"]) == ("spice", 5911, {"spicePort": 5911, "spiceTlsPort": 5912})
    inventory = console(sim, headers, WEB02).json()["inventory"]
    assert inventory["targetScheme"] == "vnc"
    with open(os.path.join(token_dir, inventory["token"]), encoding="utf-8") as handle:
        assert handle.read().endswith(":5911")
    reply = call(None, "GET", url % PAUSED01, headers=headers)
    assert reply.status_code == 503
    error = reply.json()["error"]
    assert error["code"] == "SYS.1006" and error["cause"]["code"] == "VM.1010"
    assert "current vm instance state[Paused] doesn't allow to proceed message" in error["details"]
    assert call(None, "GET", url % ADMIN01, headers=headers).json()["error"]["code"] == "ID.1002"
    assert call(None, "GET", url % ("f" * 32), headers=headers).json()["error"]["code"] == "SYS.1003"
    assert call(None, "GET", url % WEB01).status_code == 400  # not without credentials


# ------------------------------------------------------------------------------------------------
# ZQL: quotes and unknown fields fail as ZStack's query language fails
# ------------------------------------------------------------------------------------------------

def test_java_hash_set_order():
    # The orders ZStack's QueryFacadeImpl produced (java.util.HashSet<String>), printed by a Java run of it.
    assert zs.java_hash_set_order(["name in ('web-01','bob\\'s vm')", "state != 'Destroyed'"]) == [
        "state != 'Destroyed'", "name in ('web-01','bob\\'s vm')"]
    assert zs.java_hash_set_order(["name = 'bob\\'s vm'", "state = 'Running'"]) == ["name = 'bob\\'s vm'", "state = 'Running'"]
    assert zs.java_hash_set_order(["name != '\\',\\\\a,'", "uuid = ' '"]) == ["uuid = ' '", "name != '\\',\\\\a,'"]
    assert zs.java_hash_set_order(["version", "success", "error"]) == ["success", "error", "version"]


# Each details string is what ZStack's own generated ZQLLexer/ZQLParser (ANTLR 4.7.2 runtime) threw for the text
# QueryFacadeImpl builds, wrapped as RuntimeException(cause) does.
QUOTE_CASES = [
    (["name=bob's vm"], "error token recognition error at: '' limit 1000' at line 1:40, 'bob\\'s vm' limit 10"),
    (["name=bob's vm", "state=Running"], "error token recognition error at: '' limit 1000' at line 1:62, = 'Running' limit 10"),
    (["state!=Destroyed", "name?=web-01,bob's vm"],
     "error extraneous input 's' expecting {',', ')'} at line 1:72, 01','bob\\'s vm') lim"),
    (["name?=bob's vm"], "error mismatched input 's' expecting {',', ')'} at line 1:38, in ('bob\\'s vm') lim"),
    (["name~=bob's%"], "error token recognition error at: '' limit 1000' at line 1:41, e 'bob\\'s%' limit 10"),
    (["name=a''b"], "error token recognition error at: '\\' at line 1:34, ame = 'a\\'\\'b' limit"),
    (["name=o'neil's"], "error token recognition error at: '\\' at line 1:38, = 'o\\'neil\\'s' limit"),
    (["name=a'-x\\b", "name?=x-", "uuid?=a a'"], "error mismatched input '-' expecting {<EOF>, ';'} at line 1:34, ame = 'a\\'-x\\\\b' and"),
]


@pytest.mark.parametrize("conditions, details", QUOTE_CASES)
def test_a_quote_in_a_query_value_fails_with_sys1000(sim, conditions, details):
    """QueryFacadeImpl.toZQLConditionString escapes ' as \\', which ZQL.g4's STRING rule ('' only) does not know: the
    ZQL fails to parse, a ParseCancellationException, SYS.1000 from @MessageSafe, 503 on the REST path."""
    reply = query(sim, oauth(login(sim)), [("q", c) for c in conditions])
    assert reply.status_code == 503 and "Content-Type" not in reply.headers
    assert reply.json() == {"error": {"code": "SYS.1000", "description": "An internal error happened in system",
                                      "details": "org.antlr.v4.runtime.misc.ParseCancellationException: " + details}}


def test_a_vm_named_with_a_quote_is_found_only_by_a_pattern(sim):
    headers = oauth(login(sim, OPS))
    call(None, "POST", sim.base_url + "/_sim/vms/" + WEB02, json={"name": "bob's vm"})
    assert query(sim, headers, {"q": "name=bob's vm"}).json()["error"]["code"] == "SYS.1000"
    assert query(sim, headers, [("q", "name?=db-01,bob's vm")]).json()["error"]["code"] == "SYS.1000"  # the batch fails whole
    found = query(sim, headers, {"q": "name~=bob_s vm"}).json()["inventories"]
    assert [vm["uuid"] for vm in found] == [WEB02]
    reply = call(None, "GET", sim.base_url + "/zstack/v1/vm-instances/it's", headers=headers)  # the uuid goes the same way
    assert reply.status_code == 503 and reply.json()["error"]["code"] == "SYS.1000"


def test_quotes_on_older_nodes(sim):
    """4.0 to 4.6.30 quote values as they are ('%s') and ZQL.g4 already knows '': a doubled quote parses and JPQL
    reads it as one; 3.x's ZQL.g4 STRING has no '' at all."""
    headers = oauth(login(sim, OPS))
    call(None, "POST", sim.base_url + "/_sim/vms/" + WEB02, json={"name": "bob's vm"})
    sim.configure(zstack_version="4.4.0")
    assert [vm["uuid"] for vm in query(sim, headers, {"q": "name=bob''s vm"}).json()["inventories"]] == [WEB02]
    assert query(sim, headers, {"q": "name=bob's vm"}).json()["error"]["code"] == "SYS.1000"
    sim.configure(zstack_version="3.10.38")
    assert query(sim, headers, {"q": "name=bob''s vm"}).json()["error"]["code"] == "SYS.1000"
    sim.configure(zstack_version="4.6.31")
    assert query(sim, headers, {"q": "name=bob''s vm"}).json()["error"]["code"] == "SYS.1000"


def test_unknown_query_fields_are_sys1000(sim):
    """On the ZQL path an unknown field is a CloudRuntimeException, so SYS.1000, not SYS.1007: the fields first
    (InventoryMetadata.errorIfNoField, its ${selfInventoryClass} never filled), then the conditions
    (FieldChainQuery.verify) (zstackio/zstack: search/src/main/java/org/zstack/zql/ast/ZQLMetadata.java)."""
    headers = oauth(login(sim))
    error = query(sim, headers, {"q": "nosuchfield=1"}).json()["error"]
    assert error["code"] == "SYS.1000" and error["details"] == (
        "org.zstack.header.exception.CloudRuntimeException: inventory class[class org.zstack.header.vm.VmInstanceInventory]"
        " not having field[nosuchfield]")
    error = query(sim, headers, {"fields": "uuid,nosuchfield", "q": "other=1"}).json()["error"]
    assert error["code"] == "SYS.1000" and error["details"] == (
        "org.zstack.header.exception.CloudRuntimeException: inventory[${selfInventoryClass}] has no field[nosuchfield]")


# ------------------------------------------------------------------------------------------------
# access keys
# ------------------------------------------------------------------------------------------------

def test_access_key_acts_as_its_account_with_one_internal_session(sim):
    path = "/zstack/v1/vm-instances"
    reply = call(None, "GET", sim.base_url + path, headers=signed(OPS_KEY, "GET", path))
    assert reply.status_code == 200, reply.text
    assert ADMIN01 not in {vm["uuid"] for vm in reply.json()["inventories"]}
    tokens = []
    for attempt in range(2):
        reply = call(None, "POST", sim.base_url + "/zstack/v1/consoles", json={"params": {"vmInstanceUuid": WEB01}},
                     headers=signed(OPS_KEY, "POST", "/zstack/v1/consoles"))
        assert reply.status_code == 202
        final = poll(sim, reply.json()["location"], {})[0]
        tokens.append(final.json()["inventory"]["token"])
    sessions = [s for s in sim.state["sessions"] if s["access_key"] == OPS_KEY["id"]]
    assert len(sessions) == 1
    assert tokens == ["%s_%s" % (sessions[0]["uuid"], WEB01)] * 2


@pytest.mark.parametrize("mutate, status, fragment", [
    (lambda h: dict(h, Authorization=h["Authorization"][:-4] + "AAA="), 401, "signature"),
    (lambda h: dict(h, Authorization="ZStack nosuchkey:" + h["Authorization"].split(":")[1]), 401, "invalid access key"),
    (lambda h: {"Authorization": h["Authorization"]}, 400, "'Date' must be incuded in request header"),
    (lambda h: dict(h, Date="2026-11-28T16:00:00Z"), 400, "'Date' format error"),
    (lambda h: dict(h, Authorization="ZStack onlyonepart"), 400, "accessKey format is 'ZStack AccessKeyId:Signature'"),
])
def test_access_key_failures(sim, mutate, status, fragment):
    path = "/zstack/v1/vm-instances"
    reply = call(None, "GET", sim.base_url + path, headers=mutate(signed(ADMIN_KEY, "GET", path)))
    assert reply.status_code == status and fragment in reply.text


def test_access_key_clock_skew(sim):
    path = "/zstack/v1/vm-instances"
    late = zs.rfc1123_date(time.time() - 16 * 60)
    reply = call(None, "GET", sim.base_url + path, headers=signed(ADMIN_KEY, "GET", path, late))
    assert reply.status_code == 403 and reply.text == "requestTimeTooSkewed"
    near = zs.rfc1123_date(time.time() - 14 * 60)
    assert call(None, "GET", sim.base_url + path, headers=signed(ADMIN_KEY, "GET", path, near)).status_code == 200


def shanghai_wall_clock(zone_text, offset_seconds=0):
    now = datetime.datetime.now(zs.parse_node_timezone("Asia/Shanghai")) + datetime.timedelta(seconds=offset_seconds)
    return now.strftime("%a, %d %b %Y %H:%M:%S ") + zone_text


def signed_status(sim, date):
    path = "/zstack/v1/vm-instances"
    return call(None, "GET", sim.base_url + path, headers=signed(ADMIN_KEY, "GET", path, date)).status_code


@pytest.mark.parametrize("how", [{"timezone": "Asia/Shanghai"}, {"timezone": "+08:00"}, {"tz_offset_minutes": 480}])
def test_access_key_date_zone_is_ignored_by_default(sim, how):
    """RestServer.checkTime with rest.checkTimeZone=false (the default, zstackio/zstack: conf/globalConfig/rest.xml):
    checkTimeSkewing compares date.toLocalDateTime() with ZonedDateTime.now().toLocalDateTime(), +-15 minutes
    inclusive (RestConstants.REQUEST_DURATION_MINUTES); the zone of the header is ignored
    (zstackio/zstack: rest/src/main/java/org/zstack/rest/RestServer.java, checkTime, checkTimeSkewing)."""
    sim.configure(**how)  # a management node in China
    assert signed_status(sim, zs.rfc1123_date()) == 403  # the right instant, but GMT's wall clock
    for zone_text in ("GMT+08:00", "Asia/Shanghai", "CST", "GMT"):  # Shanghai's wall clock, whatever the zone says
        assert signed_status(sim, shanghai_wall_clock(zone_text)) == 200, zone_text
    assert signed_status(sim, shanghai_wall_clock("GMT+08:00", -14 * 60)) == 200
    assert signed_status(sim, shanghai_wall_clock("GMT+08:00", -16 * 60)) == 403
    assert signed_status(sim, shanghai_wall_clock("GMT+08:00", 16 * 60)) == 403


def test_access_key_check_time_zone_compares_instants(sim):
    """rest.checkTimeZone=true: ZonedDateTime instants compared (RestServer.checkTimeSkewing)."""
    sim.configure(timezone="Asia/Shanghai", check_time_zone=True)
    assert signed_status(sim, zs.rfc1123_date()) == 200
    assert signed_status(sim, shanghai_wall_clock("GMT+08:00")) == 200
    assert signed_status(sim, shanghai_wall_clock("Asia/Shanghai")) == 200
    assert signed_status(sim, shanghai_wall_clock("GMT")) == 403  # Shanghai's wall clock said to be GMT: 8 h ahead
    assert signed_status(sim, shanghai_wall_clock("CST")) == 403  # "CST" is America/Chicago to Java


def test_node_timezone_drives_the_dates_it_writes(sim):
    sim.configure(timezone="Asia/Shanghai")
    before = time.time()
    reply = call(None, "PUT", sim.base_url + LOGIN_PATH, json=login_body(*OPS))
    created = parse_java_date(reply.json()["inventory"]["createDate"])
    shanghai_now = datetime.datetime.fromtimestamp(before, zs.parse_node_timezone("Asia/Shanghai")).replace(tzinfo=None)
    assert abs((created - shanghai_now).total_seconds()) < 5
    token_reply = console(sim, oauth(reply.json()["inventory"]["uuid"]), WEB01).json()["inventory"]
    expiry = sim.state["consoles"][0]["expiry"]
    assert token_reply["expiredDate"] == zs.java_date(expiry, zs.parse_node_timezone("Asia/Shanghai"))
    sim.configure(timezone=None, tz_offset_minutes=-300)
    assert "timezone" in sim.configure() and sim.configure()["tz_offset_minutes"] == -300


def test_every_reply_carries_a_gmt_date_header(sim):
    """Tomcat writes a Date header (RFC 1123, GMT) on every response; a client learns the node's clock from it."""
    sim.configure(timezone="Asia/Shanghai")
    replies = [
        call(None, "PUT", sim.base_url + LOGIN_PATH, json=login_body(*OPS)),                 # API reply
        call(None, "GET", sim.base_url + "/zstack/v1/vm-instances"),                        # plain-text 400
        call(None, "GET", sim.base_url + "/zstack/v1/api-jobs/" + zs.new_uuid()),          # 404
        call(None, "GET", sim.base_url + "/_sim/health"),                                   # admin
    ]
    for reply in replies:
        date = reply.headers["Date"]
        assert date.endswith(" GMT"), date
        assert abs(email.utils.parsedate_to_datetime(date).timestamp() - time.time()) < 5


# ------------------------------------------------------------------------------------------------
# fault injection
# ------------------------------------------------------------------------------------------------

def add_faults(sim, rules):
    reply = call(None, "POST", sim.base_url + "/_sim/faults", json=rules)
    assert reply.status_code == 200, reply.text
    return reply.json()["added"]


def test_fault_status_without_body_applies_times(sim):
    headers = oauth(login(sim))
    add_faults(sim, {"method": "GET", "path": "^/zstack/v1/vm-instances$", "status": 503, "times": 1})
    first = query(sim, headers, {})
    assert first.status_code == 503 and first.content == b""
    assert query(sim, headers, {}).status_code == 200
    rules = call(None, "GET", sim.base_url + "/_sim/faults").json()["rules"]
    assert rules[0]["hits"] == 1 and rules[0]["remaining"] == 0


@pytest.mark.parametrize("rule, status, check", [
    ({"status": 502, "body": "<html>Bad Gateway</html>"}, 502, lambda r: r.text == "<html>Bad Gateway</html>"),
    ({"status": 504, "body": {"message": "timeout"}}, 504, lambda r: r.json() == {"message": "timeout"}),
    ({"error": "SYS.1012"}, 503, lambda r: r.json()["error"]["code"] == "SYS.1012"),
    ({"error": {"code": "SYS.1006", "details": "boom", "cause": {"code": "SYS.1000", "details": "root", "cause": "HOST.1001"}}}, 503,
     lambda r: r.json()["error"]["cause"]["cause"]["code"] == "HOST.1001"),
    ({"malformed": True}, 200, lambda r: pytest.raises(ValueError, r.json)),
    ({"malformed": "{\"inventories\": [}"}, 200, lambda r: r.text == "{\"inventories\": [}"),
])
def test_fault_replies(sim, rule, status, check):
    headers = oauth(login(sim))
    add_faults(sim, dict(rule, path="/vm-instances"))
    reply = query(sim, headers, {})
    assert reply.status_code == status
    assert check(reply)


def test_fault_drop_closes_the_connection(sim):
    headers = oauth(login(sim))
    add_faults(sim, {"path": "/vm-instances", "drop": True, "times": 1})
    with pytest.raises(requests.ConnectionError):
        query(sim, headers, {})
    assert query(sim, headers, {}).status_code == 200


def test_fault_latency_and_global_latency(sim):
    headers = oauth(login(sim))
    add_faults(sim, {"path": "/vm-instances", "latency_ms": 200, "times": 1})
    started = time.monotonic()
    assert query(sim, headers, {}).status_code == 200
    assert time.monotonic() - started >= 0.2
    sim.configure(latency_ms=100)
    started = time.monotonic()
    query(sim, headers, {})
    assert time.monotonic() - started >= 0.1


def test_fault_job_delay_and_never_finishes(sim):
    headers = oauth(login(sim, OPS))
    add_faults(sim, [{"method": "POST", "path": "/consoles", "job_delay": 0.5, "times": 1},
                     {"method": "POST", "path": "/consoles", "job_never_finishes": True, "times": 1}])
    slow = post_console(sim, headers, WEB01).json()["location"]
    stuck = post_console(sim, headers, WEB02).json()["location"]
    time.sleep(0.1)
    assert call(None, "GET", sim.base_url + urllib.parse.urlsplit(slow).path).status_code == 202
    final = poll(sim, slow, headers)[0]
    assert final.status_code == 200
    assert call(None, "GET", sim.base_url + urllib.parse.urlsplit(stuck).path).status_code == 202


def test_fault_job_expired(sim):
    headers = oauth(login(sim, OPS))
    add_faults(sim, {"method": "POST", "path": "/consoles", "job_expired": True, "times": 1})
    location = post_console(sim, headers, WEB01).json()["location"]
    assert call(None, "GET", sim.base_url + urllib.parse.urlsplit(location).path).status_code == 404
    location = post_console(sim, headers, WEB01).json()["location"]
    add_faults(sim, {"method": "GET", "path": "/api-jobs/", "job_expired": True, "times": 1})
    assert call(None, "GET", sim.base_url + urllib.parse.urlsplit(location).path).status_code == 404
    assert call(None, "GET", sim.base_url + urllib.parse.urlsplit(location).path).status_code == 404


def test_fault_expire_session_mid_run(sim):
    session = login(sim, OPS)
    headers = oauth(session)
    assert query(sim, headers, {}).status_code == 200
    add_faults(sim, {"method": "POST", "path": "/consoles", "expire_session": True, "times": 1})
    reply = post_console(sim, headers, WEB01)
    assert reply.status_code == 202
    final = poll(sim, reply.json()["location"], headers)[0]
    assert final.status_code == 503 and final.json()["error"]["code"] == "ID.1001"
    assert session not in {s["uuid"] for s in sim.state["sessions"]}


def test_bad_fault_rules_are_rejected(sim):
    assert call(None, "POST", sim.base_url + "/_sim/faults", json={"nonsense": 1}).status_code == 400
    assert call(None, "POST", sim.base_url + "/_sim/faults", json={"path": "("}).status_code == 400
    assert call(None, "POST", sim.base_url + "/_sim/config", json={"token_dir": "/tmp"}).status_code == 400
    add_faults(sim, {"rules": [{"status": 500}, {"status": 502}]})
    assert len(call(None, "GET", sim.base_url + "/_sim/faults").json()["rules"]) == 2
    assert call(None, "DELETE", sim.base_url + "/_sim/faults").json() == {"rules": []}


def test_run_level_faults_survive_reset(token_dir):
    rule = {"method": "GET", "path": "/vm-instances", "status": 502}
    with zs.Simulator(SEED, faults=[rule]) as sim:
        headers = oauth(login(sim))
        assert query(sim, headers, {}).status_code == 502
        sim.clear_faults()
        assert query(sim, headers, {}).status_code == 200
        sim.reset()
        assert query(sim, oauth(login(sim)), {}).status_code == 502


# ------------------------------------------------------------------------------------------------
# admin state, reset, concurrency
# ------------------------------------------------------------------------------------------------

def test_state_counters_and_reset(sim):
    session = login(sim, OPS)
    console(sim, oauth(session), WEB01)
    call(None, "DELETE", sim.base_url + "/zstack/v1/accounts/sessions/" + session)
    state = call(None, "GET", sim.base_url + "/_sim/state").json()
    counters = state["counters"]
    assert counters["logins"] == 1 and counters["logouts"] == 1
    assert counters["requests"]["POST /zstack/v1/consoles"] == 1
    assert counters["requests"]["GET /zstack/v1/api-jobs/{uuid}"] >= 1
    assert counters["requests"]["DELETE /zstack/v1/accounts/sessions/{uuid}"] == 1
    assert counters["total"] == sum(counters["requests"].values())
    assert call(None, "POST", sim.base_url + "/_sim/config", json={"job_delay": 1.5}).json()["job_delay"] == 1.5
    assert call(None, "POST", sim.base_url + "/_sim/reset").status_code == 200
    state = call(None, "GET", sim.base_url + "/_sim/state").json()
    assert state["counters"]["total"] == 0 and state["sessions"] == [] and state["config"]["job_delay"] == 0.05


def test_concurrent_clients(sim):
    sim.configure(job_delay=0.02)

    def client(index):
        statuses = []
        with requests.Session() as http_session:
            who = OPS if index % 2 else ADMIN
            headers = oauth(login(sim, who, http_session))
            for step in range(7):
                statuses.append(query(sim, headers, {"q": "state=Running", "limit": "5"}, http_session).status_code)
                vm = (WEB01, WEB02, DB01, PAUSED01)[(index + step) % 4]
                reply = post_console(sim, headers, vm, http_session=http_session)
                statuses.append(reply.status_code)
                statuses.append(poll(sim, reply.json()["location"], headers, http_session=http_session)[0].status_code)
        return statuses

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(client, range(16)))
    flat = [status for statuses in results for status in statuses]
    assert len(flat) == 16 * 21
    assert set(flat) == {200, 202}
    state = sim.state
    assert state["counters"]["requests"]["POST /zstack/v1/consoles"] == 16 * 7
    assert state["counters"]["total"] >= 16 * 22
    assert len(state["consoles"]) == 4


# ------------------------------------------------------------------------------------------------
# TLS and the command line
# ------------------------------------------------------------------------------------------------

def test_tls(tmp_path):
    # A missing openssl fails the test rather than skipping it: .ci/run installs Debian's openssl.
    assert shutil.which("openssl"), "the openssl command is needed to make a test certificate"
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    with zs.Simulator(SEED, tls_cert=cert, tls_key=key) as sim:
        assert sim.base_url.startswith("https://")
        assert call(None, "GET", sim.base_url + "/_sim/health", verify=cert).status_code == 200
        with pytest.raises(requests.ConnectionError):
            call(None, "GET", sim.base_url.replace("https://", "http://") + "/_sim/health", timeout=2)
        assert call(None, "GET", sim.base_url + "/_sim/health", verify=cert).status_code == 200


def test_command_line_port_file_and_sigterm(tmp_path):
    port_file = tmp_path / "sim.port"
    log_file = tmp_path / "sim.log"
    process = subprocess.Popen([sys.executable, SCRIPT, "--seed", SEED, "--port", "0", "--port-file", str(port_file),
                                "--token-dir", str(tmp_path / "tokens"), "--job-delay", "0", "--console-port", "4999",
                                "--zstack-version", "4.8.0", "--unique-session", "--session-cleanup-interval", "5",
                                "--console-scheme", "http", "--log-file", str(log_file)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(port_file.exists, timeout=10)
        port = int(port_file.read_text().strip())
        base = "http://127.0.0.1:%d" % port
        assert call(None, "GET", base + "/_sim/health").status_code == 200
        assert call(None, "PUT", base + VERSION_PATH, json={"getVersion": {}}).json()["version"] == "4.8.0"
        config = call(None, "GET", base + "/_sim/config").json()
        assert config["unique_session"] is True and config["session_cleanup_interval"] == 5
        session = call(None, "PUT", base + LOGIN_PATH, json=login_body(*OPS)).json()
        headers = oauth(session["inventory"]["uuid"])
        location = call(None, "POST", base + "/zstack/v1/consoles", json={"params": {"vmInstanceUuid": WEB01}}, headers=headers).json()["location"]
        job = call(None, "GET", base + urllib.parse.urlsplit(location).path, headers=headers)
        assert job.json()["inventory"]["port"] == 4999
        assert len(os.listdir(tmp_path / "tokens")) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=10)
    assert process.returncode == 0, output
    assert not port_file.exists()
    assert os.listdir(tmp_path / "tokens") == []
    assert "POST /zstack/v1/consoles" in log_file.read_text()


@pytest.mark.parametrize("argument", [["--console-scheme", "https"], ["--zstack-version", "four"]])
def test_command_line_refuses_what_zstack_cannot_be(tmp_path, argument):
    process = subprocess.run([sys.executable, SCRIPT, "--seed", SEED, "--port", "0"] + argument,
                             capture_output=True, text=True, timeout=30, check=False)
    assert process.returncode == 2
    assert process.stderr.startswith("zstack_simulator: ") and "Traceback" not in process.stderr
