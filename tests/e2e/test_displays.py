# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The real displays of displays.py, reached as a console client reaches them: a console token from the simulator,
then the console proxy's WebSocket (websockify's own client here, so that the displays are checked apart from the
collection's bridge)."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from websockify.websocket import WebSocket

from displays import SPICE_LINK, SPICE_VM, VNC_VM, console_entry_for, display_stack  # noqa: F401  pylint: disable=unused-import
from e2e_stack import time_limit


class _TokenWebSocket(WebSocket):
    """websockify's client, asking for the URL's query too (its connect() sends the path alone, and the token is
    in the query)."""

    def __init__(self, url):
        super().__init__()
        parts = urlsplit(url)
        self.target = parts.path + ('?' + parts.query if parts.query else '')

    def send_request(self, type, path):  # pylint: disable=redefined-builtin
        super().send_request(type, self.target)


def _connect(url):
    socket.setdefaulttimeout(10)  # websockify's client connects with the default time-out
    try:
        client = _TokenWebSocket(url)
        client.connect(url, protocols=['binary'])
    finally:
        socket.setdefaulttimeout(None)
    client.socket.settimeout(10)
    return client


def test_the_vnc_vm_speaks_rfb_through_the_proxy(display_stack):
    with time_limit(60):
        entry = console_entry_for(display_stack, VNC_VM)
        assert entry['target_scheme'] == 'vnc'
        client = _connect(entry['websocket_url'])
        try:
            assert client.recvmsg().startswith(b'RFB 003.008\n')
        finally:
            client.close()


def test_the_spice_vm_answers_redq_through_the_proxy_though_the_server_says_vnc(display_stack):
    with time_limit(60):
        entry = console_entry_for(display_stack, SPICE_VM)
        assert entry['target_scheme'] == 'vnc'  # what open-source ZStack answers for every VM
        client = _connect(entry['websocket_url'])
        try:
            client.sendmsg(SPICE_LINK)
            assert client.recvmsg()[:4] == b'REDQ'
        finally:
            client.close()
