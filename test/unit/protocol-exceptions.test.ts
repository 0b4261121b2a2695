/** JavaScript errors ↔ Celery exception dicts, including errors that stand for a Python exception. */
import { describe, expect, it } from 'vitest';
import { ChordError, ImproperlyConfigured, RemoteTaskError } from '../../src/errors.js';
import { toExceptionInfo } from '../../src/protocol/exceptions.js';

class ExpectedException extends Error {
  override name = 'ExpectedException';
  readonly excModule = 't.integration.tasks';
}

describe('toExceptionInfo', () => {
  it('maps builtins, Celery errors and JS-only errors to their modules', () => {
    expect(toExceptionInfo(new TypeError('x'))).toEqual({ exc_type: 'TypeError', exc_message: ['x'], exc_module: 'builtins' });
    expect(toExceptionInfo(new Error('plain'))).toEqual({ exc_type: 'Exception', exc_message: ['plain'], exc_module: 'builtins' });
    expect(toExceptionInfo(new ChordError('c'))).toMatchObject({ exc_type: 'ChordError', exc_module: 'celery.exceptions' });
    expect(toExceptionInfo(new ImproperlyConfigured('i'))).toMatchObject({ exc_type: 'ImproperlyConfigured', exc_module: 'celery.exceptions' });
    class Custom extends Error {
      override name = 'Custom';
    }
    expect(toExceptionInfo(new Custom('c'))).toMatchObject({ exc_type: 'Custom', exc_module: 'celeriac' });
  });

  it('an error may name the Python exception it stands for (excType, excModule, excArgs)', () => {
    expect(toExceptionInfo(new ExpectedException('Task expected to fail'))).toEqual({
      exc_type: 'ExpectedException',
      exc_message: ['Task expected to fail'],
      exc_module: 't.integration.tasks',
    });
    const named = Object.assign(new Error('ignored'), { excType: 'KeyError', excArgs: ['missing', 2] });
    expect(toExceptionInfo(named)).toEqual({ exc_type: 'KeyError', exc_message: ['missing', 2], exc_module: 'builtins' });
    const remote = new RemoteTaskError('ExpectedException', 't.integration.tasks', ['a'], null, 'id', 'FAILURE');
    expect(toExceptionInfo(remote)).toEqual({ exc_type: 'ExpectedException', exc_message: ['a'], exc_module: 't.integration.tasks' });
  });
});
