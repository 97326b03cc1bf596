// Vitest setup file (integration and e2e): the Hrana servers a test file started stop when it ends.
import { stopHranaAfterAll } from './hrana.ts';

stopHranaAfterAll();
