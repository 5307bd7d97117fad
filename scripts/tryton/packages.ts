// Debian packages for the live Tryton ERP: checked, installed when missing, and versioned for the snapshot cache key.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TRYTON_PACKAGES = ['tryton-server', 'tryton-modules-sale', 'tryton-proteus'] as const;
/** The exact line CI runs (also what `ensureTrytonPackages` runs when the binaries are missing). */
export const APT_INSTALL_LINE =
  'DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends ' + TRYTON_PACKAGES.join(' ');

export const TRYTOND = '/usr/bin/trytond';
export const TRYTOND_ADMIN = '/usr/bin/trytond-admin';
/** The Debian interpreter: a pyenv `python3` on PATH does not see /usr/lib/python3/dist-packages. */
export const PYTHON = '/usr/bin/python3';
const PROTEUS_DIR = '/usr/lib/python3/dist-packages/proteus';

export function trytonInstalled(): boolean {
  return existsSync(TRYTOND) && existsSync(TRYTOND_ADMIN) && existsSync(PROTEUS_DIR);
}

/** Installs the packages if missing. Returns the milliseconds spent (0 when already installed). */
export async function ensureTrytonPackages(log: (msg: string) => void = () => {}): Promise<number> {
  if (trytonInstalled()) return 0;
  const t0 = Date.now();
  if (process.getuid?.() !== 0) {
    throw new Error(`Tryton is not installed and this process is not root; run as root: ${APT_INSTALL_LINE}`);
  }
  log('installing Tryton Debian packages (about 20-40 s)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['-o', 'DPkg::Lock::Timeout=900', 'install', '-y', '--no-install-recommends', ...TRYTON_PACKAGES], { env, maxBuffer: 64 << 20 });
  } catch {
    // A fresh machine may have no package lists yet.
    await run('apt-get', ['-o', 'Acquire::Lock::Timeout=900', 'update'], { env, maxBuffer: 64 << 20 });
    await run('apt-get', ['-o', 'DPkg::Lock::Timeout=900', 'install', '-y', '--no-install-recommends', ...TRYTON_PACKAGES], { env, maxBuffer: 64 << 20 });
  }
  if (!trytonInstalled()) throw new Error(`apt-get finished but ${TRYTOND} is still missing`);
  return Date.now() - t0;
}

/** `name=version` lines of the installed tryton packages, part of the snapshot cache key. */
export async function trytonPackageVersions(): Promise<string> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const { stdout } = await run('dpkg-query', ['-W', '-f', '${Package}=${Version}\n', 'tryton-*']);
  return stdout
    .split('\n')
    .filter((l) => l && !l.endsWith('='))
    .sort()
    .join('\n');
}
