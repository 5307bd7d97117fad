// `npm test`'s pretest: the browser tests need Debian's Chromium. Installed when missing and we are root (as the
// Tryton tests install Tryton); otherwise the run stops at once with the one command to run, instead of a wall of
// failing browser tests.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const APT_LINE = 'apt-get install -y --no-install-recommends chromium';

/** Returns what happened; throws with the command to run when it cannot provide the browser. */
export function ensureChromium({ env = process.env, uid = process.getuid?.(), exists = existsSync, apt = aptGet } = {}) {
  if (env.LEDGERLINE_CHROMIUM) {
    if (exists(env.LEDGERLINE_CHROMIUM)) return 'present';
    // A browser chosen by path is not ours to install.
    throw new Error(
      `LEDGERLINE_CHROMIUM=${env.LEDGERLINE_CHROMIUM} does not exist: point it at a Chromium binary, or unset it to use Debian's /usr/bin/chromium`,
    );
  }
  if (exists('/usr/bin/chromium')) return 'present';
  if (uid !== 0 || !exists('/usr/bin/apt-get')) {
    throw new Error(
      `the browser tests need Debian's Chromium at /usr/bin/chromium: run \`sudo ${APT_LINE}\` (or set LEDGERLINE_CHROMIUM to a Chromium binary), then npm test again`,
    );
  }
  apt();
  if (!exists('/usr/bin/chromium')) throw new Error(`apt-get finished but /usr/bin/chromium is still missing: run \`${APT_LINE}\` and read its output`);
  return 'installed';
}

function aptGet() {
  console.log("[ledgerline] installing Debian's Chromium for the browser tests (about a minute)");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['-o', 'Acquire::Lock::Timeout=900', 'update', '-qq'], { env, stdio: 'inherit' });
  execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=900', 'install', '-y', '-qq', '--no-install-recommends', 'chromium'], { env, stdio: 'inherit' });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    ensureChromium();
  } catch (e) {
    console.error(`[ledgerline] ${e.message}`);
    process.exit(1);
  }
}
