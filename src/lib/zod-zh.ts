// Zod's built-in messages in Simplified Chinese, for every schema without its own
// message (a rejected request always explains itself in Chinese; issue 9).
import { z } from 'zod';

z.config(z.locales.zhCN());
