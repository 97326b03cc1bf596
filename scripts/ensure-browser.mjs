// Makes sure Debian's Chromium and a CJK font are present for browser tests.
// Root on Debian: installs them with apt. Elsewhere: CHROMIUM_PATH, or the exact command to run.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const INSTALL = 'apt-get install -y chromium fonts-wqy-microhei';

/** Returns the Chromium path or exits with the command to run. */
export function ensureBrowser() {
  if (process.env.CHROMIUM_PATH) {
    if (existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
    console.error(`CHROMIUM_PATH=${process.env.CHROMIUM_PATH} 不存在 / does not exist`);
    process.exit(1);
  }
  const path = '/usr/bin/chromium';
  const fontOk = existsSync('/usr/share/fonts/truetype/wqy/wqy-microhei.ttc');
  if (existsSync(path) && fontOk) return path;
  const isRoot = process.getuid?.() === 0;
  const isDebian = existsSync('/etc/debian_version');
  if (isRoot && isDebian) {
    console.log(`正在安装浏览器测试所需的 Chromium 与中文字体… / Installing Chromium and a CJK font: ${INSTALL}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const upd = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const inst = spawnSync('apt-get', ['install', '-y', '-qq', 'chromium', 'fonts-wqy-microhei'], { stdio: 'inherit', env });
    if (upd.status === 0 && inst.status === 0 && existsSync(path)) return path;
    console.error(`安装失败 / Install failed. 请手动运行 / Run: ${INSTALL}`);
    process.exit(1);
  }
  console.error(`浏览器测试需要 Chromium。请运行 / Browser tests need Chromium. Run:\n  sudo ${INSTALL}\n或设置 / or set CHROMIUM_PATH=/path/to/chromium`);
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(ensureBrowser());
