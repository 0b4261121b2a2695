import { memoryApp } from '../helpers/memory-app.js';
import { workflowConformance } from './workflow.suite.js';

workflowConformance('memory', () => memoryApp());
