# -*- coding: utf-8 -*-
# Copyright: (c) 2026, zstack.cloud maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    """Where the ZStack management node is and how long to wait for it.

    DOCUMENTATION serves the modules and the inventory plugin; INVENTORY adds, for the plugin, the environment
    variables Ansible's configuration reads each option from when the inventory file does not set it (a module reads
    the same variables itself, _connection.connection_argument_spec).
    """

    DOCUMENTATION = r'''
options:
  host:
    description:
      - Host name or IP address of the ZStack management node.
      - If not set, the value of the E(ZSTACK_HOST) environment variable is used.
    type: str
    required: true
  port:
    description:
      - Port of the ZStack REST API.
      - If not set, the value of the E(ZSTACK_PORT) environment variable is used.
    type: int
    default: 8080
  scheme:
    description:
      - V(https) when the management node (or a proxy in front of it) serves TLS.
      - If not set, the value of the E(ZSTACK_SCHEME) environment variable is used.
    type: str
    choices: [http, https]
    default: http
  validate_certs:
    description:
      - Whether to check the server's TLS certificate. Turn it off only for a lab.
      - If not set, the value of the E(ZSTACK_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM bundle of the certificate authorities to trust instead of the system ones,
        for example the CA that signed a self-signed management node certificate.
      - If not set, the value of the E(ZSTACK_CA_PATH) environment variable is used. Prefer it to E(REQUESTS_CA_BUNDLE),
        which changes the trusted CAs of every HTTPS request of the process.
    type: path
  timeout:
    description:
      - Seconds to wait for each HTTP answer (connect and read), from 1 to 3600.
    type: int
    default: 30
  wait_timeout:
    description:
      - Seconds to wait for an asynchronous ZStack job (such as RequestConsoleAccess) to finish, from 1 to 86400.
    type: int
    default: 120
  retries:
    description:
      - How many more times to send a request after a transient failure (a dropped connection,
        HTTP 502 or 504, or HTTP 503 without an API error), with exponential back-off.
      - API errors, refused connections, DNS and TLS failures and time-outs are not retried.
      - From 0 to 20. Once a request has failed for want of an answer, or still fails after its retries, the task
        sends no more requests; its other requests fail at once with the same cause.
    type: int
    default: 3
  server_timezone:
    description:
      - The time zone the management node's clock runs in - an IANA name such as V(Asia/Shanghai), V(UTC), or a
        fixed offset such as V(+08:00).
      - ZStack checks the C(Date) of an AccessKey request against its own wall clock, ignoring the zone (with
        its default C(rest.checkTimeZone=false)), and writes its dates (such as a console's C(expiredDate))
        in its own zone without saying which. This zone is used to date AccessKey requests and to read those dates.
      - If not set, the value of the E(ZSTACK_SERVER_TIMEZONE) environment variable is used. With neither, a module
        that logs in itself learns the node's offset from the login reply; otherwise the controller's local zone is
        assumed, as ZStack's own SDKs do.
      - Set it when AccessKey requests fail with C(requestTimeTooSkewed) and both clocks are right.
    type: str
'''

    INVENTORY = r'''
options:
  host:
    env:
      - name: ZSTACK_HOST
  port:
    env:
      - name: ZSTACK_PORT
  scheme:
    env:
      - name: ZSTACK_SCHEME
  validate_certs:
    env:
      - name: ZSTACK_VALIDATE_CERTS
  ca_path:
    env:
      - name: ZSTACK_CA_PATH
  server_timezone:
    env:
      - name: ZSTACK_SERVER_TIMEZONE
'''
