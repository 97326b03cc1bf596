// npm run user:create -- --phone 13800000000 --name 张三 --role admin [--role editor]
// Creates an account without a browser (the first admin). Password from SHANXING_PASSWORD,
// else a prompt on a terminal; with neither it stops with one bilingual line (CI-safe).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { ensureProjectNode } from './lib.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
ensureProjectNode(root);

function fail(zh, en) {
  console.error(`${zh} / ${en}`);
  process.exit(1);
}

let args;
try {
  args = parseArgs({
    options: { phone: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', multiple: true }, help: { type: 'boolean' } },
    strict: true,
  }).values;
} catch (e) {
  fail(`参数错误：${e.message}`, `Bad arguments: ${e.message}`);
}
if (args.help || !args.phone || !args.name) {
  console.log('用法 / Usage: npm run user:create -- --phone 13800000000 --name 张三 --role admin [--role editor]');
  console.log('密码取自环境变量 SHANXING_PASSWORD，否则在终端提示输入。 / Password from SHANXING_PASSWORD, else prompted on a terminal.');
  process.exit(args.help ? 0 : 1);
}

/** Reads a password from the terminal without echoing it. */
function prompt(question) {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    rl._writeToOutput = (s) => {
      if (s.includes(question)) process.stdout.write(s);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

let password = process.env.SHANXING_PASSWORD;
if (!password) {
  if (!process.stdin.isTTY) {
    fail('未提供密码：请设置环境变量 SHANXING_PASSWORD，或在终端中运行以输入密码', 'No password: set SHANXING_PASSWORD or run in a terminal to be prompted');
  }
  password = await prompt('请输入密码 / Password: ');
  const again = await prompt('请再次输入 / Repeat: ');
  if (password !== again) fail('两次输入的密码不一致', 'Passwords do not match');
}

const { readConfig, ConfigError } = await import('../src/lib/config.ts');
const { PhoneSchema, NewPasswordSchema, RealNameSchema } = await import('../src/domain/accounts/schemas.ts');
const { isRole, ROLE_LABELS } = await import('../src/domain/accounts/policy.ts');

const checks = [
  ['--phone', PhoneSchema.safeParse(args.phone), 'phone'],
  ['--name', RealNameSchema.safeParse(args.name), 'name'],
  ['SHANXING_PASSWORD', NewPasswordSchema.safeParse(password), 'password'],
];
for (const [what, r, en] of checks) if (!r.success) fail(`${what}：${r.error.issues[0].message}`, `invalid ${en}`);
const roles = args.role ?? [];
for (const r of roles) if (!isRole(r)) fail(`未知角色 ${r}，可选：${Object.keys(ROLE_LABELS).join(', ')}`, `unknown role ${r}`);

let cfg;
try {
  cfg = readConfig();
} catch (e) {
  if (e instanceof ConfigError) fail(e.message.split(' / ')[0], e.message.split(' / ')[1] ?? e.message);
  throw e;
}
const { openDb } = await import('../db/client.ts');
const { migrateDb } = await import('../db/migrate.ts');
const { createUser, userIdByPhone } = await import('../src/domain/accounts/users.ts');
const { audit } = await import('../src/domain/audit/index.ts');
const { getSettings } = await import('../src/domain/settings/index.ts');
const db = await openDb({ url: cfg.databaseUrl, authToken: cfg.databaseAuthToken, syncUrl: cfg.databaseSyncUrl });
await migrateDb(db);
if (await userIdByPhone(db, args.phone)) fail(`手机号 ${args.phone} 已有账户，请在 /console/users 中授予角色`, `an account with phone ${args.phone} already exists`);
const s = await getSettings(db);
const id = await createUser(db, cfg.secretKey, {
  phone: args.phone,
  password,
  realName: args.name,
  roles,
  termsVersion: s.termsVersion,
  privacyVersion: s.privacyVersion,
});
await audit(db, { action: 'user.create.cli', targetType: 'user', targetId: id, after: { roles: ['volunteer', ...roles] }, detail: '命令行创建账户' });
db.$client.close();
console.log(`已创建账户 #${id}：${args.name}（${args.phone.slice(0, 3)}****${args.phone.slice(-4)}），角色 ${['volunteer', ...roles].map((r) => ROLE_LABELS[r]).join('、')} / Created user #${id}`);
