// Generates src/domain/accounts/common-passwords.txt: passwords people pick
// most (keyboard walks, digit runs, dates, word+year, pinyin+digits, leetspeak
// variants). Deterministic; re-run only to change the patterns.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const out = new Set();
const add = (s) => {
  if (s && s.length >= 4 && s.length <= 32) out.add(s.toLowerCase());
};

const base = [
  'password',
  'passw0rd',
  'p@ssword',
  'p@ssw0rd',
  'qwerty',
  'qwertyuiop',
  'asdfgh',
  'asdfghjkl',
  'zxcvbn',
  'zxcvbnm',
  'admin',
  'administrator',
  'welcome',
  'letmein',
  'iloveyou',
  'monkey',
  'dragon',
  'master',
  'sunshine',
  'princess',
  'football',
  'baseball',
  'superman',
  'batman',
  'trustno1',
  'shadow',
  'michael',
  'jennifer',
  'hunter',
  'ranger',
  'buster',
  'soccer',
  'hockey',
  'killer',
  'george',
  'charlie',
  'andrew',
  'jordan',
  'harley',
  'thomas',
  'robert',
  'daniel',
  'starwars',
  'computer',
  'internet',
  'whatever',
  'freedom',
  'secret',
  'login',
  'abc',
  'abcd',
  'abcde',
  'abcdef',
  'abcdefg',
  'abcdefgh',
  'test',
  'tester',
  'testing',
  'guest',
  'root',
  'user',
  'default',
  'changeme',
  'hello',
  'helloworld',
  'love',
  'lovely',
  'loveyou',
  'woaini',
  'woaini1314',
  'aini',
  'china',
  'chinese',
  'beijing',
  'shanghai',
  'sichuan',
  'chengdu',
  'qq',
  'qqqq',
  'baidu',
  'taobao',
  'weixin',
  'wechat',
  'alipay',
  'zhifubao',
  'apple',
  'iphone',
  'huawei',
  'xiaomi',
  'google',
  'yahoo',
  'access',
  'mustang',
  'cookie',
  'summer',
  'winter',
  'spring',
  'autumn',
  'flower',
  'tigger',
  'pepper',
  'ginger',
  'cheese',
  'banana',
  'orange',
  'purple',
  'silver',
  'golden',
  'diamond',
  'angel',
  'baby',
  'family',
  'forever',
  'friends',
  'happy',
  'lucky',
  'magic',
  'money',
  'music',
  'nothing',
  'pokemon',
  'naruto',
  'matrix',
  'ninja',
  'qazwsx',
  'qazwsxedc',
  '1qaz2wsx',
  '1q2w3e4r',
  '1q2w3e',
  'q1w2e3r4',
  'zaq12wsx',
  'shanxing',
  'zhiyuan',
  'zhiyuanzhe',
  'volunteer',
  'haoren',
  'yunxi',
  'mima',
  'mimamima',
  'wodemima',
  'kaixin',
  'xingfu',
  'pingan',
  'dapeng',
  'tiantian',
  'nihao',
  'laogong',
  'laopo',
  'baobao',
  'beibei',
  'xiaobao',
  'qwer',
  'asdf',
  'zxcv',
  'wasd',
  'aaaa',
  'asd',
  'qwe',
];
const pinyinSurnames = [
  'wang',
  'li',
  'zhang',
  'liu',
  'chen',
  'yang',
  'huang',
  'zhao',
  'wu',
  'zhou',
  'xu',
  'sun',
  'ma',
  'zhu',
  'hu',
  'guo',
  'he',
  'gao',
  'lin',
  'luo',
  'zheng',
  'liang',
  'xie',
  'song',
  'tang',
  'deng',
  'feng',
  'han',
  'cao',
  'peng',
];
const pinyinGiven = [
  'wei',
  'fang',
  'na',
  'min',
  'jing',
  'li',
  'qiang',
  'lei',
  'jun',
  'yang',
  'yong',
  'yan',
  'jie',
  'tao',
  'ming',
  'chao',
  'xiuying',
  'xia',
  'ping',
  'gang',
  'hua',
  'hui',
  'hong',
  'fei',
  'bin',
  'lan',
  'ying',
  'xin',
  'yu',
  'long',
];
const suffixes = [
  '',
  '1',
  '12',
  '123',
  '1234',
  '12345',
  '123456',
  '1234567',
  '12345678',
  '123456789',
  '111',
  '666',
  '888',
  '520',
  '521',
  '1314',
  '5201314',
  '!',
  '!!',
  '@',
  '#',
  '.',
  '01',
  '007',
  '2008',
  '000',
  '00',
  '99',
  '11',
  '88',
];

// Digit patterns: runs, repeats, pairs.
for (let n = 4; n <= 12; n++) {
  for (let d = 0; d <= 9; d++) add(String(d).repeat(n));
  add('1234567890'.repeat(2).slice(0, n));
  add('0123456789'.repeat(2).slice(0, n));
  add('9876543210'.repeat(2).slice(0, n));
  add('123'.repeat(5).slice(0, n));
  add('147258369'.repeat(2).slice(0, n));
  add('159357'.repeat(3).slice(0, n));
  add('5201314'.repeat(2).slice(0, n));
  add('1314520'.repeat(2).slice(0, n));
}
for (let a = 0; a <= 99; a++) {
  const p = String(a).padStart(2, '0');
  add(p.repeat(3));
  add(p.repeat(4));
  add(p.repeat(5));
}
for (let a = 0; a <= 999; a++) {
  const p = String(a).padStart(3, '0');
  add(p + p);
  add(p + p + p);
}
// Dates: yyyymmdd and yymmdd for every day of 1950–2015 (birthdays are the classic pick).
for (let y = 1950; y <= 2015; y++) {
  for (let m = 1; m <= 12; m++) {
    for (let d = 1; d <= 31; d += 1) {
      if (d > new Date(Date.UTC(y, m, 0)).getUTCDate()) continue;
      const mm = String(m).padStart(2, '0'),
        dd = String(d).padStart(2, '0');
      add(`${y}${mm}${dd}`);
      if (y >= 1970 && y <= 2005) add(`${String(y).slice(2)}${mm}${dd}`);
    }
  }
}
// Keyboard walks.
const rows = ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', '!@#$%^&*()'];
for (const r of rows)
  for (let i = 0; i < r.length; i++)
    for (let n = 4; n <= r.length - i; n++) {
      add(r.slice(i, i + n));
      add([...r.slice(i, i + n)].reverse().join(''));
    }
for (const w of [
  'qweasd',
  'qweasdzxc',
  'asdqwe',
  'qweqwe',
  'asdasd',
  'zxczxc',
  'qwe123',
  'asd123',
  'zxc123',
  'qwe123456',
  'asd123456',
  'zxc123456',
  'qaz123',
  'wsx123',
  '1qazxsw2',
  '2wsx3edc',
  '3edc4rfv',
  'qazxswedc',
  'qwertyui',
  'qwerasdf',
  'asdfzxcv',
  'qwerasdfzxcv',
  '1qaz2wsx3edc',
  'zaq1xsw2',
  '!qaz2wsx',
  '1qaz@wsx',
  'qaz!@#',
  'abc123',
  'abc123456',
  'a123456',
  'aa123456',
  'a1234567',
  'a12345678',
  'a123456789',
  'aa112233',
  'aaa111',
  'abc@123',
  'abcd1234',
  'abcd@1234',
  'admin123',
  'admin@123',
  'admin888',
  'root123',
  'test123',
  'pass123',
  'pass1234',
  'password1',
  'password12',
  'password123',
  'password1234',
  'passw0rd!',
  'p@ssw0rd1',
])
  add(w);
// Word + suffix and capitalised / leet variants.
const leet = (s) => s.replace(/a/g, '@').replace(/o/g, '0').replace(/e/g, '3').replace(/i/g, '1').replace(/s/g, '$');
for (const w of base) {
  for (const s of suffixes) {
    add(w + s);
    add(leet(w) + s);
  }
  for (let y = 1960; y <= 2026; y++) add(w + y);
  for (let y = 0; y <= 99; y++) add(w + String(y).padStart(2, '0'));
}
// Pinyin names + digits (wangwei123, zhangli1988, liuyang520 …).
for (const s of pinyinSurnames) {
  for (const g of pinyinGiven) {
    for (const suf of ['', '123', '1234', '123456', '520', '1314', '888', '666', '000', '111', '12345', '12345678', '1990', '1985', '1995', '2000', '88', '@123']) add(s + g + suf);
  }
  for (const suf of suffixes) add(s + suf);
  for (let y = 1960; y <= 2010; y++) add(s + y);
}

const list = [...out].sort();
const file = fileURLToPath(new URL('../src/domain/accounts/common-passwords.txt', import.meta.url));
writeFileSync(file, list.join('\n') + '\n');
console.log(`${list.length} entries → ${file}`);
