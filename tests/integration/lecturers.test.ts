import { describe, expect, test } from 'vitest';
import { freshDb, TEST_KEY } from '../helpers/db.ts';
import { createUser, grantRole } from '../../src/domain/accounts/users.ts';
import { listLecturers } from '../../src/domain/legal/lectures.ts';

describe('lecturers for 点单式普法', () => {
  test('are volunteers with the 法律 skill or the 法律明白人 role, never others', async () => {
    const db = await freshDb({ seed: 'base' });
    const lawyer = await createUser(db, TEST_KEY, { phone: '13800001001', password: 'long-password-a1', realName: '郑律师', skills: ['法律'] });
    const aide = await createUser(db, TEST_KEY, { phone: '13800001002', password: 'long-password-a2', realName: '罗明白' });
    const other = await createUser(db, TEST_KEY, { phone: '13800001003', password: 'long-password-a3', realName: '孙群众', skills: ['急救'] });
    await grantRole(db, aide, 'legal_aide');
    const ids = (await listLecturers(db)).map((l) => l.id);
    expect(ids).toContain(lawyer);
    expect(ids).toContain(aide);
    expect(ids).not.toContain(other);
  });
});
