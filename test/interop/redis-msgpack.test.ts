/** Interop matrix: Redis broker, msgpack, results in Redis DB 11 (see suite.ts for the cells). */
import { combo } from './combos.js';
import { describeCombination } from './suite.js';

describeCombination(combo('redis', 'msgpack', 11));
