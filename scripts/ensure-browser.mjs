// Makes sure every system program the tests run is present: Debian's Chromium and a CJK font for
// browser tests, poppler's tools for the PDF tests. Root on Debian: installs what is missing with apt.
// Elsewhere: CHROMIUM_PATH for the browser, or the exact command to run.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

/**
 * Every system program a test may spawn, with the Debian package that brings it; npm test makes sure
 * each is installed before the run. tests/unit/system-programs.test.ts fails when a test spawns a
 * program that is not on this list.
 */
export const SYSTEM_PROGRAMS = [
  { file: '/usr/bin/pdftotext', pkg: 'poppler-utils', programs: ['pdftotext', 'pdfinfo', 'pdffonts', 'pdftoppm'], browser: false },
  // LibreOffice opens the XLSX/DOCX files the portal makes (and turns DOCX/HTML into PDF) in document tests.
  { file: '/usr/lib/libreoffice/program/libswdlo.so', pkg: 'libreoffice-writer-nogui', programs: ['soffice', 'libreoffice'], browser: false },
  { file: '/usr/lib/libreoffice/program/libscdlo.so', pkg: 'libreoffice-calc-nogui', programs: [], browser: false },
  { file: '/usr/bin/chromium', pkg: 'chromium', programs: ['chromium'], browser: true },
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', pkg: 'fonts-wqy-microhei', programs: [], browser: true },
];

/**
 * Programs only the benchmark runs (npm run bench makes sure of them, npm test does not): wrk, a C load
 * generator, beside autocannon — a JavaScript client on the same two cores flattens the ratio to the
 * baseline (issue 22).
 */
export const BENCH_PROGRAMS = [{ file: '/usr/bin/wrk', pkg: 'wrk', programs: ['wrk'], browser: false }];

/** Installs (root on Debian) or names the missing packages; exits when it cannot provide them. */
function ensurePackages(needed) {
  const missing = needed.filter((p) => !existsSync(p.file));
  if (!missing.length) return;
  const pkgs = [...new Set(missing.map((p) => p.pkg))];
  const command = `apt-get install -y ${pkgs.join(' ')}`;
  const isRoot = process.getuid?.() === 0;
  const isDebian = existsSync('/etc/debian_version');
  if (isRoot && isDebian) {
    console.log(`正在安装测试所需的系统程序… / Installing the system programs the tests need: ${command}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const upd = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const inst = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
    if (upd.status === 0 && inst.status === 0 && missing.every((p) => existsSync(p.file))) return;
    console.error(`安装失败 / Install failed. 请手动运行 / Run: ${command}`);
    process.exit(1);
  }
  console.error(`测试需要以下系统程序 / The tests need: ${pkgs.join(', ')}. 请运行 / Run:\n  sudo ${command}`);
  process.exit(1);
}

/** Makes sure the non-browser programs (poppler) are present. */
export function ensureSystemPrograms() {
  ensurePackages(SYSTEM_PROGRAMS.filter((p) => !p.browser));
}

/** Makes sure the benchmark's own programs (wrk) are present. */
export function ensureBenchPrograms() {
  ensurePackages(BENCH_PROGRAMS);
}

/** Returns the Chromium path (with its CJK font present) or exits with the command to run. */
export function ensureBrowser() {
  if (process.env.CHROMIUM_PATH) {
    if (existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
    console.error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} 不存在 / does not exist`);
    process.exit(1);
  }
  ensurePackages(SYSTEM_PROGRAMS.filter((p) => p.browser));
  return '/usr/bin/chromium';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensureSystemPrograms();
  console.log(ensureBrowser());
}
