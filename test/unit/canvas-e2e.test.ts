import { canvasConformance } from '../conformance/canvas.suite.js';
import { memoryApp } from '../helpers/memory-app.js';

canvasConformance('memory', () => memoryApp());
