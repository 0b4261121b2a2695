import { canvasConformance } from '../conformance/canvas.suite.js';
import { chordCompatConformance } from '../conformance/chord-compat.suite.js';
import { replaceConformance } from '../conformance/replace.suite.js';
import { taskContextConformance } from '../conformance/task-context.suite.js';
import { memoryApp } from '../helpers/memory-app.js';

canvasConformance('memory', () => memoryApp());
replaceConformance('memory', () => memoryApp());
replaceConformance('memory, every continuation referenced', () => memoryApp({ continuations: 'reference', referenceThresholdBytes: 0 }));
taskContextConformance('memory', () => memoryApp({ defaultQueue: 'context' }), 'context');
chordCompatConformance('memory', () => memoryApp({ defaultQueue: 'compat' }), 'compat');
