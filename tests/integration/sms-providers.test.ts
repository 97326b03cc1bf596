// The two providers' HTTP APIs (issue 18, item 13): signatures against the providers' published
// example vectors, then real requests to a fake provider that checks them, including its refusals.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aliyunSignature, sendSms, SmsSendError, tc3Authorization } from '../../src/lib/sms.ts';
import { ConfigError, readConfig, type SmsConfig } from '../../src/lib/config.ts';
import { REFUSED_PHONE, startFakeSms, type FakeSms } from '../helpers/fake-sms.ts';

describe('signatures match the providers’ documented examples', () => {
  test('阿里云 RPC signature v1 (the SendSms example with testId / testSecret)', () => {
    const params = {
      AccessKeyId: 'testId',
      Action: 'SendSms',
      Format: 'XML',
      OutId: '123',
      PhoneNumbers: '15300000001',
      RegionId: 'cn-hangzhou',
      SignName: '阿里云短信测试专用',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '45e25e9b-0a6f-4070-8c85-2956eda1b466',
      SignatureVersion: '1.0',
      TemplateCode: 'SMS_71390007',
      TemplateParam: '{"customer":"test"}',
      Timestamp: '2017-07-12T02:42:19Z',
      Version: '2017-05-25',
    };
    expect(aliyunSignature('testSecret', 'GET', params)).toBe('zJDF+Lrzhj/ThnlvIToysFRq6t4=');
  });

  test('腾讯云 TC3-HMAC-SHA256 (the API 3.0 signing example)', () => {
    const auth = tc3Authorization({
      secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
      secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
      service: 'cvm',
      host: 'cvm.tencentcloudapi.com',
      timestamp: 1551113065,
      payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
    });
    expect(auth).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });
});

describe('sending through a fake provider', () => {
  let fake: FakeSms;
  beforeAll(async () => {
    fake = await startFakeSms();
  });
  afterAll(() => fake.close());

  const cfgFor = (provider: 'aliyun' | 'tencent', extra: Record<string, string> = {}): SmsConfig =>
    readConfig({
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sms-cfg-')),
      SMS_PROVIDER: provider,
      SMS_KEY_ID: 'LTAI-test-id',
      SMS_KEY_SECRET: 'test-secret',
      SMS_SIGN_NAME: '善行云溪',
      SMS_TEMPLATE_ID: provider === 'aliyun' ? 'SMS_123456789' : '1234567',
      SMS_SDK_APP_ID: '1400000000',
      SMS_ENDPOINT: fake.url,
      ...extra,
    }).sms;

  test.each(['aliyun', 'tencent'] as const)('%s: a signed request delivers the code with the sign name and template', async (provider) => {
    await sendSms(cfgFor(provider, { SMS_TEMPLATE_PARAMS: 'code,minutes' }), { phone: '13812340001', code: '482913', minutes: 10, purpose: 'register' });
    expect(fake.messages.at(-1)).toEqual({ provider, phone: '13812340001', signName: '善行云溪', templateId: provider === 'aliyun' ? 'SMS_123456789' : '1234567', params: ['482913', '10'] });
  });

  test.each(['aliyun', 'tencent'] as const)('%s: a rating link goes out with its own template (SMS_RATE_TEMPLATE_ID), number and link', async (provider) => {
    const rate = { trackingNo: 'DD-2026-ABC234', link: 'https://sx.example.cn/services/rate/abc', text: '…' };
    await sendSms(cfgFor(provider, { SMS_RATE_TEMPLATE_ID: 'SMS_RATE_1' }), { phone: '13812340003', code: '', minutes: 0, purpose: 'rate', rate });
    expect(fake.messages.at(-1)).toEqual({ provider, phone: '13812340003', signName: '善行云溪', templateId: 'SMS_RATE_1', params: ['DD-2026-ABC234', 'https://sx.example.cn/services/rate/abc'] });
    // Without a rating template nothing is sent with the code template by mistake.
    const err = await sendSms(cfgFor(provider), { phone: '13812340003', code: '', minutes: 0, purpose: 'rate', rate }).catch((e) => e);
    expect(err).toBeInstanceOf(SmsSendError);
    expect(err.code).toBe('NoRateTemplate');
  });

  test.each(['aliyun', 'tencent'] as const)('%s: a wrong secret is refused as the provider refuses it', async (provider) => {
    const err = await sendSms(cfgFor(provider, { SMS_KEY_SECRET: 'wrong' }), { phone: '13812340002', code: '111111', minutes: 10, purpose: 'reset' }).catch((e) => e);
    expect(err).toBeInstanceOf(SmsSendError);
    expect(err.code).toBe(provider === 'aliyun' ? 'SignatureDoesNotMatch' : 'AuthFailure.SignatureFailure');
  });

  test.each([
    ['aliyun', 'isv.BUSINESS_LIMIT_CONTROL'],
    ['tencent', 'LimitExceeded.PhoneNumberDailyLimit'],
  ] as const)('%s: a refused number is an error, not a success', async (provider, code) => {
    const err = await sendSms(cfgFor(provider), { phone: REFUSED_PHONE, code: '222222', minutes: 10, purpose: 'phone' }).catch((e) => e);
    expect(err).toBeInstanceOf(SmsSendError);
    expect(err.code).toBe(code);
  });
});

describe('SMS configuration', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'sms-cfg-'));
  test('defaults to the demo log provider', () => {
    expect(readConfig({ DATA_DIR: dir() }).sms.provider).toBe('log');
  });
  test.each([
    [{ SMS_PROVIDER: 'yunpian' }, 'SMS_PROVIDER'],
    [{ SMS_PROVIDER: 'aliyun' }, 'SMS_KEY_ID'],
    [{ SMS_PROVIDER: 'tencent', SMS_KEY_ID: 'a', SMS_KEY_SECRET: 'b', SMS_SIGN_NAME: 'c', SMS_TEMPLATE_ID: 'd' }, 'SMS_SDK_APP_ID'],
    [{ SMS_PROVIDER: 'aliyun', SMS_KEY_ID: 'a', SMS_KEY_SECRET: 'b', SMS_SIGN_NAME: 'c', SMS_TEMPLATE_ID: 'd', SMS_ENDPOINT: 'http://sms.example.com/' }, 'SMS_ENDPOINT'],
    [{ SMS_TEMPLATE_PARAMS: 'minutes' }, 'SMS_TEMPLATE_PARAMS'],
  ])('%j is refused naming %s', (env, variable) => {
    const err = (() => {
      try {
        readConfig({ DATA_DIR: dir(), ...env });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(variable);
    expect((err as ConfigError).message).toMatch(/配置错误.*Invalid/);
  });
});
