// A fake SMS provider on loopback answering like 阿里云 Dysmsapi and 腾讯云 SMS (for SMS tests), as
// fake-smtp.ts stands in for a mail relay. It checks what the real API checks — the action, the
// version, the signature over exactly the bytes sent — and records every message it accepted.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { aliyunSignature, tc3Authorization } from '../../src/lib/sms.ts';

export interface FakeSmsMessage {
  provider: 'aliyun' | 'tencent';
  phone: string;
  signName: string;
  templateId: string;
  /** Template values in order (Aliyun's JSON object values, Tencent's TemplateParamSet). */
  params: string[];
}

export interface FakeSms {
  url: string;
  messages: FakeSmsMessage[];
  /** Requests refused, with the provider's error code. */
  refused: string[];
  close: () => Promise<void>;
}

/** A phone the fake provider refuses with the provider's own rate-limit error. */
export const REFUSED_PHONE = '13900009999';

function body(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (s += d));
    req.on('end', () => resolve(s));
  });
}

/** Starts the fake provider; `keyId`/`keySecret` are the credentials it accepts. */
export async function startFakeSms({ keyId = 'LTAI-test-id', keySecret = 'test-secret' } = {}): Promise<FakeSms> {
  const messages: FakeSmsMessage[] = [];
  const refused: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const text = await body(req);
    const answer = (status: number, json: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.headers['x-tc-action']) {
      // 腾讯云 API 3.0
      const refuse = (code: string, message: string) => {
        refused.push(code);
        answer(200, { Response: { Error: { Code: code, Message: message }, RequestId: 'fake' } });
      };
      const host = String(req.headers.host);
      const expected = tc3Authorization({
        secretId: keyId,
        secretKey: keySecret,
        service: 'sms',
        host,
        timestamp: Number(req.headers['x-tc-timestamp']),
        payload: text,
        contentType: String(req.headers['content-type']),
      });
      if (req.headers.authorization !== expected) return refuse('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.');
      if (req.headers['x-tc-action'] !== 'SendSms' || req.headers['x-tc-version'] !== '2021-01-11' || !req.headers['x-tc-region']) return refuse('InvalidAction', 'bad action/version/region');
      const p = JSON.parse(text) as { PhoneNumberSet: string[]; SmsSdkAppId: string; SignName: string; TemplateId: string; TemplateParamSet: string[] };
      const phone = p.PhoneNumberSet[0].replace(/^\+86/, '');
      if (phone === REFUSED_PHONE) {
        refused.push('LimitExceeded.PhoneNumberDailyLimit');
        return answer(200, {
          Response: {
            SendStatusSet: [{ SerialNo: '', PhoneNumber: p.PhoneNumberSet[0], Fee: 0, Code: 'LimitExceeded.PhoneNumberDailyLimit', Message: '单个手机号日下发短信条数超过设定的上限' }],
            RequestId: 'fake',
          },
        });
      }
      messages.push({ provider: 'tencent', phone, signName: p.SignName, templateId: p.TemplateId, params: p.TemplateParamSet });
      return answer(200, {
        Response: { SendStatusSet: [{ SerialNo: 'fake-serial', PhoneNumber: p.PhoneNumberSet[0], Fee: 1, Code: 'Ok', Message: 'send success', IsoCode: 'CN' }], RequestId: 'fake' },
      });
    }
    // 阿里云 Dysmsapi (RPC style, form-encoded POST)
    const params = Object.fromEntries(new URLSearchParams(text));
    const { Signature, ...signed } = params;
    const refuse = (status: number, code: string, message: string) => {
      refused.push(code);
      answer(status, { Code: code, Message: message, RequestId: 'fake' });
    };
    if (params.AccessKeyId !== keyId) return refuse(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
    if (Signature !== aliyunSignature(keySecret, 'POST', signed)) return refuse(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
    if (params.Action !== 'SendSms' || params.Version !== '2017-05-25' || params.SignatureMethod !== 'HMAC-SHA1') return refuse(400, 'InvalidParameter', 'bad action/version');
    if (params.PhoneNumbers === REFUSED_PHONE) return refuse(200, 'isv.BUSINESS_LIMIT_CONTROL', '触发天级流控Permits:10');
    messages.push({
      provider: 'aliyun',
      phone: params.PhoneNumbers,
      signName: params.SignName,
      templateId: params.TemplateCode,
      params: Object.values(JSON.parse(params.TemplateParam) as Record<string, string>),
    });
    answer(200, { Code: 'OK', Message: 'OK', BizId: 'fake-biz', RequestId: 'fake' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/`, messages, refused, close: () => new Promise((r) => server.close(() => r())) };
}
