# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The management node's clock: the zone it runs in, the dates it writes, the Date header it checks.

A ZStack node writes every date (a console's ``expiredDate``, a session's ``createDate``) with gson's default
format in its JVM's zone, without the zone (``Nov 28, 2026 4:51:20 PM``); and with ``rest.checkTimeZone`` false,
the default, it accepts an AccessKey request only if the wall-clock time in its ``Date`` header is within
15 minutes of the node's own wall clock, whatever zone the header names (docs/zstack-api-notes.md, "Time").
So both need the node's zone. ``NodeClock.zone`` decides it, in one place: the ``server_timezone`` option,
else the offset learned at login, else the controller's local zone (which ZStack's own SDKs assume).

The functions below are pure; ``tz`` None stands for the controller's local zone (with its DST rules).
"""

from __future__ import annotations

import datetime
import email.utils
import re

try:
    import zoneinfo
except ImportError:  # Python < 3.9: fixed offsets only
    zoneinfo = None

from ansible_collections.zstack.cloud.plugins.module_utils._errors import ZStackConfigError

UTC = datetime.timezone.utc
MONTHS = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')
WEEKDAYS = ('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')
# gson's default Date format: DateFormat.getDateTimeInstance(DEFAULT, DEFAULT, Locale.US). Java 8 writes
# "Nov 28, 2026 4:51:20 PM"; JDK 9+ (CLDR) adds a comma after the year; JDK 20+ puts U+202F before AM/PM.
_GSON_DATE = re.compile(r'(jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec) (\d{1,2}), (\d{4}),? '
                        r'(\d{1,2}):(\d{2}):(\d{2})[ \u202f\u00a0]?([ap]m)\Z', re.I)
_EPOCH_MS = re.compile(r'-?\d{11,15}\Z')
_OFFSET = re.compile(r'(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?\Z', re.I)
_UTC_NAMES = ('UTC', 'Z', 'GMT', 'UT', 'ETC/UTC', 'ETC/GMT', 'ZULU')
# Offsets learned at login are rounded to this (every zone in use is a multiple of 15 minutes from UTC).
QUARTER_HOUR = 15
MAX_OFFSET_MINUTES = 14 * 60


def parse_timezone(text, option='server_timezone'):
    """A zone from an IANA name (``Asia/Shanghai``), ``UTC``, or a fixed offset (``+08:00``, ``+0800``, ``UTC+8``)."""
    value = str(text).strip()

    def hint(why=''):
        return ('%s %r is not a time zone%s: give an IANA name (such as Asia/Shanghai), UTC, or a fixed offset '
                '(such as +08:00)' % (option, str(text), why))
    if not value:
        raise ZStackConfigError(hint())
    if value.upper() in _UTC_NAMES:
        return UTC
    match = _OFFSET.match(value)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        if int(match.group(3) or 0) >= 60 or minutes > MAX_OFFSET_MINUTES:
            raise ZStackConfigError(hint())
        return datetime.timezone(datetime.timedelta(minutes=-minutes if match.group(1) == '-' else minutes))
    if zoneinfo is None:
        raise ZStackConfigError(hint(' this Python knows (IANA names need Python 3.9 or later)'))
    if not re.fullmatch(r'[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*', value):
        raise ZStackConfigError(hint())
    try:
        return zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ZStackConfigError(hint(' known to this system')) from None


def offset_text(offset):
    """``+08:00`` for a timedelta."""
    minutes = int(offset.total_seconds() // 60)
    sign = '-' if minutes < 0 else '+'
    return '%s%02d:%02d' % (sign, abs(minutes) // 60, abs(minutes) % 60)


def wall_clock(epoch, tz):
    """The node's wall-clock time (naive) at ``epoch``."""
    if tz is None:
        return datetime.datetime.fromtimestamp(epoch)
    return datetime.datetime.fromtimestamp(epoch, tz).replace(tzinfo=None)


def utc_offset(epoch, tz):
    """The zone's offset from UTC at ``epoch``."""
    if tz is None:
        return datetime.datetime.fromtimestamp(epoch).astimezone().utcoffset()
    return datetime.datetime.fromtimestamp(epoch, tz).utcoffset()


def localize(naive, tz):
    """A wall-clock time of the node as an aware datetime."""
    if tz is None:
        return naive.astimezone()  # Python reads a naive datetime as the controller's local time here
    return naive.replace(tzinfo=tz)


def request_date(epoch, tz):
    """The ``Date`` header of an AccessKey request: the node's wall-clock time, and a zone Java's ``z`` reads.

    RestServer.checkTime parses it with ``EEE, dd MMM yyyy HH:mm:ss z`` (Locale.ENGLISH). With
    rest.checkTimeZone false it compares only the wall-clock part with the node's; with true it compares
    instants. The node's own wall clock and its offset (``GMT+08:00``; ``GMT`` for UTC) are right under both.
    An offset, not the IANA name: Java's ``z`` parser knows only the region ids its JDK has display names
    for (``Etc/GMT-8`` fails, so may a zone newer than the node's JDK), while ``GMT+hh:mm`` always parses.
    """
    moment = wall_clock(epoch, tz)
    offset = utc_offset(epoch, tz)
    zone = 'GMT' if not offset else 'GMT' + offset_text(offset)
    return '%s, %02d %s %04d %02d:%02d:%02d %s' % (
        WEEKDAYS[moment.weekday()], moment.day, MONTHS[moment.month - 1].capitalize(), moment.year,
        moment.hour, moment.minute, moment.second, zone)


def parse_server_date(value, tz):
    """An aware datetime for a date the node wrote, or None when it is absent or unreadable.

    Reads gson's default format (Java 8 and newer JDKs) as the node's wall-clock time in ``tz``, ISO 8601
    (its own offset when it has one, else ``tz``) and epoch milliseconds.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return _from_epoch_ms(value)
    text = str(value).strip()
    if _EPOCH_MS.match(text):
        return _from_epoch_ms(int(text))
    parsed = _read_text_date(text)
    if parsed is None or parsed.tzinfo is not None:
        return parsed
    try:
        return localize(parsed, tz)
    except (OverflowError, ValueError, OSError):
        return None


def _read_text_date(text):
    """A date the node wrote as text: naive for gson's format or ISO 8601 without an offset, aware for ISO 8601
    with one; None when unreadable."""
    naive = _parse_gson(text)
    return naive if naive is not None else _parse_iso(text)


def iso_utc(moment):
    """``2026-11-30T16:20:00Z``: ISO 8601 in UTC, to the second."""
    return moment.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


def expires_at(value, tz):
    """The ISO 8601 UTC form of a date the node wrote (such as a console's ``expiredDate``), or None."""
    moment = parse_server_date(value, tz)
    return iso_utc(moment) if moment is not None else None


def learn_offset(create_date, response_date):
    """The node's UTC offset, from a date it wrote just now (a login's ``createDate``) and the HTTP ``Date``
    header of the same reply, rounded to the quarter hour; None when either is missing or unreadable."""
    if create_date is None or isinstance(create_date, (bool, int, float)) or not response_date:
        return None  # epoch milliseconds carry no zone to learn
    text = str(create_date).strip()
    written = _read_text_date(text)
    if written is None:
        return None
    if written.tzinfo is not None:
        return datetime.timezone(written.utcoffset())
    try:
        sent = email.utils.parsedate_to_datetime(response_date)
    except (TypeError, ValueError, IndexError):
        return None
    if sent is None or sent.tzinfo is None:
        return None
    seconds = (written - sent.astimezone(UTC).replace(tzinfo=None)).total_seconds()
    minutes = int(round(seconds / 60.0 / QUARTER_HOUR)) * QUARTER_HOUR
    if abs(minutes) > MAX_OFFSET_MINUTES:
        return None  # not a zone: one of the two dates is wrong
    return datetime.timezone(datetime.timedelta(minutes=minutes))


def _from_epoch_ms(value):
    try:
        return datetime.datetime.fromtimestamp(int(value) // 1000, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _parse_gson(text):
    match = _GSON_DATE.match(text)
    if not match:
        return None
    month, day, year, hour, minute, second, half = match.groups()
    if not 1 <= int(hour) <= 12:
        return None
    hour = int(hour) % 12 + (12 if half.lower() == 'pm' else 0)
    try:
        return datetime.datetime(int(year), MONTHS.index(month[:3].lower()) + 1, int(day), hour, int(minute), int(second))
    except ValueError:
        return None


def _parse_iso(text):
    if not re.match(r'\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}', text):
        return None
    try:
        return datetime.datetime.fromisoformat(re.sub(r'[zZ]\Z', '+00:00', text))
    except ValueError:
        return None


class NodeClock:
    """The zone of one management node's clock, decided in one place (see the module docstring)."""

    def __init__(self, server_timezone=None):
        self.explicit = server_timezone  # a tzinfo from parse_timezone, or None
        self.learned = None

    def learn(self, create_date, response_date):
        """Remember the offset a login reply shows; an explicit server_timezone still wins (see ``zone``)."""
        offset = learn_offset(create_date, response_date)
        if offset is not None and self.learned is None:
            self.learned = offset

    @property
    def zone(self):
        """A tzinfo, or None for the controller's local zone."""
        if self.explicit is not None:
            return self.explicit
        return self.learned

    def describe(self, epoch):
        """Which offset is used and why, for messages: ``UTC+00:00, the controller's local zone``."""
        offset = 'UTC' + offset_text(utc_offset(epoch, self.zone))
        if self.explicit is not None:
            return '%s, from server_timezone' % offset
        if self.learned is not None:
            return '%s, learned at login' % offset
        return "%s, the controller's local zone" % offset

    def request_date(self, epoch):
        return request_date(epoch, self.zone)

    def expires_at(self, value):
        return expires_at(value, self.zone)
