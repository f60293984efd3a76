// The one thing the self-contained launchers need from spice-html5: its client, as window.ZStackSpice.
// build.py unpacks the pinned Debian package's /usr/share/spice-html5/ (ES modules) into ./spice-html5/.
import { SpiceMainConn, sendCtrlAltDel } from './spice-html5/main.js';

window.ZStackSpice = { SpiceMainConn: SpiceMainConn, sendCtrlAltDel: sendCtrlAltDel };
