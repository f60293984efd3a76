// The one thing the self-contained launchers need from noVNC: its RFB client, as window.ZStackRFB.
// noVNC's CommonJS build (lib/), because esbuild cannot put the top-level await of later ES module builds
// into an IIFE. Bundled by build.py into plugins/module_utils/_novnc.py.
import RFB from '@novnc/novnc/lib/rfb.js';

window.ZStackRFB = RFB;
