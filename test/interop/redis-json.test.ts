/** Interop matrix: Redis broker, json, results in Redis DB 10 (see suite.ts for the cells). */
import { combo } from './combos.js';
import { describeCombination } from './suite.js';

describeCombination(combo('redis', 'json', 10));
