// The Action inventory the access matrix is checked against comes from the served `server` object.
import { expect, test } from 'vitest';
import { listActions } from '../helpers/inventory.ts';
import { server } from '../../src/actions/index.ts';

test('every Action of the server object is listed, and nothing else', () => {
  const names = listActions();
  expect(names.length).toBeGreaterThan(60);
  expect(names).toContain('events.signUp');
  expect(names).toContain('honors.revealObjectionContact');
  const count = Object.values(server).reduce((n, g) => n + Object.keys(g).length, 0);
  expect(names).toHaveLength(count);
  expect(new Set(names).size).toBe(names.length);
});
