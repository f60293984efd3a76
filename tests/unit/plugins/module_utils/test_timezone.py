# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unit tests of _timezone: the node's zone, the dates it writes, the Date header of AccessKey requests.

The date strings below were written by OpenJDK 17's ``DateFormat.getDateTimeInstance(DEFAULT, DEFAULT,
Locale.US)`` (gson's default Date format; ``-Djava.locale.providers=COMPAT`` for the Java 8 form) with the
JVM zone set as named; each test names the instant it stands for.
"""

from __future__ import annotations

import datetime
import email.utils
import re
import time

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError
from ansible_collections.zstack.cloud.plugins.module_utils._timezone import (
    NodeClock,
    expires_at,
    learn_offset,
    parse_server_date,
    parse_timezone,
    request_date,
)

SHANGHAI = parse_timezone('Asia/Shanghai')
NEW_YORK = parse_timezone('America/New_York')
UTC = datetime.timezone.utc
# 1796056880000 ms = 2026-11-30T16:41:20Z.
INSTANT = 1796056880
INSTANT_ISO = '2026-11-30T16:41:20Z'


def fixed(minutes):
    return datetime.timezone(datetime.timedelta(minutes=minutes))


@pytest.fixture
def local_zone(monkeypatch):
    """Set the controller's local zone (TZ) for one test, and put it back afterwards."""
    def set_zone(name):
        monkeypatch.setenv('TZ', name)
        time.tzset()
    yield set_zone
    monkeypatch.undo()
    time.tzset()


# ------------------------------------------------------------------ reading the node's dates

@pytest.mark.parametrize('text', [
    'Dec 1, 2026 12:41:20 AM',          # Java 8 (ZStack's target JDK)
    'Dec 1, 2026, 12:41:20 AM',         # JDK 9+ (CLDR): a comma after the year
    'Dec 1, 2026, 12:41:20\u202fAM',    # JDK 20+: a narrow no-break space before AM/PM
    'dec 1, 2026 12:41:20 am',
])
def test_gson_formats_in_shanghai(text):
    assert expires_at(text, SHANGHAI) == INSTANT_ISO


@pytest.mark.parametrize('zone, text', [
    ('Asia/Kolkata', 'Nov 30, 2026, 10:11:20 PM'),
    ('Asia/Kathmandu', 'Nov 30, 2026, 10:26:20 PM'),
    ('America/New_York', 'Nov 30, 2026, 11:41:20 AM'),
    ('UTC', 'Nov 30, 2026, 4:41:20 PM'),
    ('+05:45', 'Nov 30, 2026 10:26:20 PM'),
])
def test_gson_formats_in_other_zones(zone, text):
    assert expires_at(text, parse_timezone(zone)) == INSTANT_ISO


def test_twelve_o_clock_edges():
    # 1796000000000 ms = 2026-11-30T00:53:20Z: 12:53:20 AM in UTC; 1783000000000 ms = 2026-07-02T13:46:40Z.
    assert expires_at('Nov 30, 2026, 12:53:20 AM', UTC) == '2026-11-30T00:53:20Z'
    assert expires_at('Nov 30, 2026 8:53:20 AM', SHANGHAI) == '2026-11-30T00:53:20Z'
    assert expires_at('Jul 2, 2026, 1:46:40 PM', UTC) == '2026-07-02T13:46:40Z'
    assert expires_at('Jul 2, 2026 12:00:00 PM', UTC) == '2026-07-02T12:00:00Z'
    # Daylight saving time is the zone's, on that date: New York is UTC-4 in July, UTC-5 in November.
    assert expires_at('Jul 2, 2026, 9:46:40 AM', NEW_YORK) == '2026-07-02T13:46:40Z'
    assert expires_at('Nov 29, 2026, 7:53:20 PM', NEW_YORK) == '2026-11-30T00:53:20Z'


@pytest.mark.parametrize('value', [
    1796056880000, 1796056880000.0, '1796056880000', 1796056880999,
    '2026-11-30T16:41:20Z', '2026-11-30T16:41:20.5Z', '2026-12-01T00:41:20+08:00', '2026-12-01T00:41:20',
    '2026-12-01 00:41:20',
])
def test_iso_and_epoch_ms(value):
    # Naive ISO 8601 is the node's wall clock too; epoch ms and ISO with an offset are absolute.
    assert expires_at(value, SHANGHAI) == INSTANT_ISO


@pytest.mark.parametrize('value', [
    None, '', '   ', True, 'tomorrow', 'Nov 31, 2026 1:00:00 PM', 'Nov 30, 2026 13:00:00 PM', 'Nov 30, 2026 0:10:00 AM',
    'Foo 30, 2026 1:00:00 PM', 'Nov 30 2026 1:00:00 PM', '2026-13-01T00:00:00', float('nan'), float('inf'), 10 ** 30,
    [], {},
])
def test_unreadable_dates_give_none(value):
    assert parse_server_date(value, SHANGHAI) is None
    assert expires_at(value, SHANGHAI) is None


def test_local_zone_is_the_controllers(local_zone):
    local_zone('Asia/Shanghai')
    assert expires_at('Dec 1, 2026 12:41:20 AM', None) == INSTANT_ISO
    local_zone('UTC')
    assert expires_at('Nov 30, 2026 4:41:20 PM', None) == INSTANT_ISO
    local_zone('America/New_York')
    assert expires_at('Jul 2, 2026, 9:46:40 AM', None) == '2026-07-02T13:46:40Z'


@settings(max_examples=300, deadline=None, database=None)
@given(epoch=st.integers(min_value=0, max_value=4102444800), minutes=st.integers(min_value=-14 * 4, max_value=14 * 4),
       comma=st.booleans(), nnbsp=st.booleans())
def test_round_trip_property(epoch, minutes, comma, nnbsp):
    """Any instant written in any quarter-hour zone, in either JDK style, reads back to that instant."""
    zone = fixed(minutes * 15)
    moment = datetime.datetime.fromtimestamp(epoch, zone)
    text = '%s %d, %d%s %d:%02d:%02d%s%s' % (moment.strftime('%b'), moment.day, moment.year, ',' if comma else '',
                                             moment.hour % 12 or 12, moment.minute, moment.second,
                                             '\u202f' if nnbsp else ' ', 'AM' if moment.hour < 12 else 'PM')
    assert expires_at(text, zone) == datetime.datetime.fromtimestamp(epoch, UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


# ------------------------------------------------------------------ server_timezone values

@pytest.mark.parametrize('text, minutes', [
    ('UTC', 0), ('utc', 0), ('Z', 0), ('GMT', 0), ('Etc/UTC', 0), ('+08:00', 480), ('+0800', 480), ('+08', 480),
    ('UTC+8', 480), ('GMT+05:30', 330), ('-03:30', -210), (' +05:45 ', 345), ('-00:00', 0), ('+14:00', 840),
])
def test_parse_fixed(text, minutes):
    assert parse_timezone(text).utcoffset(None) == datetime.timedelta(minutes=minutes)


@pytest.mark.parametrize('text', ['Asia/Shanghai', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'])
def test_parse_iana(text):
    assert str(parse_timezone(text)) == text


@pytest.mark.parametrize('text', ['', ' ', 'Mars/Olympus', 'Asia', '+15:00', '+08:60', '/etc/passwd', '../../etc/passwd',
                                  'Asia/../Asia/Shanghai', 'CST+8', 'UTC+8\nx', 'A%sB%d', '+8:00:00', 'Asia/Shanghai '
                                  'extra'])
def test_parse_bad_values_fail_on_one_line(text):
    with pytest.raises(ZStackConfigError) as info:
        parse_timezone(text)
    msg = info.value.msg
    assert msg.startswith('server_timezone ') and msg.splitlines() == [msg]
    assert 'IANA name (such as Asia/Shanghai), UTC, or a fixed offset (such as +08:00)' in msg


# ------------------------------------------------------------------ the Date header of AccessKey requests

# Each header below was parsed by OpenJDK 17 with RestServer's formatter (parseCaseInsensitive,
# "EEE, dd MMM yyyy HH:mm:ss z", Locale.ENGLISH): "GMT+08:00" -> +08:00, "GMT-05:30" -> -05:30, "GMT" -> Z.
@pytest.mark.parametrize('zone, header', [
    ('Asia/Shanghai', 'Tue, 01 Dec 2026 00:41:20 GMT+08:00'),
    ('UTC', 'Mon, 30 Nov 2026 16:41:20 GMT'),
    ('-05:30', 'Mon, 30 Nov 2026 11:11:20 GMT-05:30'),
    ('America/New_York', 'Mon, 30 Nov 2026 11:41:20 GMT-05:00'),
    ('Asia/Kathmandu', 'Mon, 30 Nov 2026 22:26:20 GMT+05:45'),
])
def test_request_date(zone, header):
    assert request_date(INSTANT, parse_timezone(zone)) == header


def test_request_date_summer_time():
    # 1783000000 = 2026-07-02T13:46:40Z: New York is on EDT.
    assert request_date(1783000000, NEW_YORK) == 'Thu, 02 Jul 2026 09:46:40 GMT-04:00'


def test_request_date_local_zone(local_zone):
    local_zone('Asia/Shanghai')
    assert request_date(INSTANT, None) == 'Tue, 01 Dec 2026 00:41:20 GMT+08:00'
    local_zone('UTC')
    assert request_date(INSTANT, None) == 'Mon, 30 Nov 2026 16:41:20 GMT'


@settings(max_examples=200, deadline=None, database=None)
@given(epoch=st.integers(min_value=0, max_value=4102444800), minutes=st.integers(min_value=-14 * 4, max_value=14 * 4))
def test_request_date_is_the_nodes_wall_clock(epoch, minutes):
    """Both ways RestServer.checkTime reads it: the wall clock (zone ignored) and the instant."""
    zone = fixed(minutes * 15)
    header = request_date(epoch, zone)
    match = re.fullmatch(r'(\w{3}), (\d{2}) (\w{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT(?:([+-]\d{2}):(\d{2}))?', header)
    assert match, header
    wall = datetime.datetime.strptime(header[:25], '%a, %d %b %Y %H:%M:%S')
    assert wall == datetime.datetime.fromtimestamp(epoch, zone).replace(tzinfo=None)
    sign = -1 if (match.group(8) or '+').startswith('-') else 1
    offset = sign * (abs(int(match.group(8) or 0)) * 60 + int(match.group(9) or 0))
    assert (wall - datetime.timedelta(minutes=offset)).replace(tzinfo=UTC).timestamp() == epoch


# ------------------------------------------------------------------ learning the node's offset at login

def http_date(epoch):
    return email.utils.formatdate(epoch, usegmt=True)


@pytest.mark.parametrize('create_date, latency, minutes', [
    ('Dec 1, 2026 12:41:20 AM', 0, 480),             # Shanghai
    ('Dec 1, 2026, 12:41:19 AM', 3, 480),            # the reply left 3 s after the session was made
    ('Nov 30, 2026, 10:11:20 PM', 1, 330),           # Kolkata
    ('Nov 30, 2026, 10:26:20 PM', 0, 345),           # Kathmandu
    ('Nov 30, 2026, 11:41:20 AM', 0, -300),          # New York in winter
    ('Nov 30, 2026, 4:41:20 PM', 0, 0),              # UTC
    ('Nov 30, 2026, 4:48:00 PM', 0, 0),              # 6 min 40 s off: still the nearest quarter hour
    ('2026-12-01T00:41:20', 0, 480),
    ('2026-12-01T00:41:20+08:00', 500, 480),         # an ISO date with its offset says it outright
])
def test_learn_offset(create_date, latency, minutes):
    assert learn_offset(create_date, http_date(INSTANT + latency)) == fixed(minutes)


@pytest.mark.parametrize('create_date, header', [
    (None, http_date(INSTANT)), ('Dec 1, 2026 12:41:20 AM', None), ('Dec 1, 2026 12:41:20 AM', ''),
    ('Dec 1, 2026 12:41:20 AM', 'yesterday'), ('garbage', http_date(INSTANT)), (1796056880000, http_date(INSTANT)),
    ('Dec 3, 2026 12:41:20 AM', http_date(INSTANT)),  # two days apart: not a zone
    ('Dec 1, 2026 12:41:20 AM', 'Mon, 30 Nov 2026 16:41:20'),  # no zone in the header
])
def test_learn_offset_gives_none(create_date, header):
    assert learn_offset(create_date, header) is None


# ------------------------------------------------------------------ one place decides the zone

def test_node_clock_precedence(local_zone):
    local_zone('UTC')
    clock = NodeClock()
    assert clock.zone is None
    assert clock.expires_at('Nov 30, 2026 4:41:20 PM') == INSTANT_ISO
    assert clock.describe(INSTANT) == "UTC+00:00, the controller's local zone"
    clock.learn('Dec 1, 2026 12:41:20 AM', http_date(INSTANT))
    assert clock.zone == fixed(480)
    assert clock.expires_at('Dec 1, 2026 12:41:20 AM') == INSTANT_ISO
    assert clock.request_date(INSTANT) == 'Tue, 01 Dec 2026 00:41:20 GMT+08:00'
    assert clock.describe(INSTANT) == 'UTC+08:00, learned at login'
    clock.learn('Nov 30, 2026 4:41:20 PM', http_date(INSTANT))  # a later login does not change what was learned
    assert clock.zone == fixed(480)

    explicit = NodeClock(parse_timezone('-05:00'))
    explicit.learn('Dec 1, 2026 12:41:20 AM', http_date(INSTANT))
    assert explicit.zone == fixed(-300)  # server_timezone wins over what a login shows
    assert explicit.describe(INSTANT) == 'UTC-05:00, from server_timezone'
    assert explicit.expires_at('Nov 30, 2026 11:41:20 AM') == INSTANT_ISO
