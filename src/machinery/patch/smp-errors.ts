/**
 * @module The errors strategic merge patch reports, worded like apimachinery's
 * util/mergepatch, and their mapping to Status errors (apiserver
 * `interpretStrategicMergePatchError`): format errors are 400 BadRequest, lists of lists 422.
 */
import { StatusError } from '../status.ts';
import { goFormat, goTypeName } from './go-json.ts';

export class SmpError extends Error {
  constructor(
    message: string,
    readonly code: 400 | 422 = 400,
  ) {
    super(message);
    this.name = 'SmpError';
  }

  toStatusError(): StatusError {
    if (this.code === 400) return StatusError.badRequest(this.message);
    return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
      group: '',
      kind: '',
      name: '',
      causes: [{ reason: 'UnexpectedServerResponse', message: this.message }],
    });
  }
}

export const errBadRetainKeys = () => new SmpError('invalid patch format of retainKeys');
export const errBadPrimitiveList = () => new SmpError('invalid patch format of primitive list');
export const errBadSetElementOrder = () => new SmpError('invalid patch format of setElementOrder list');
export const errNoListOfLists = () => new SmpError('lists of lists are not supported', 422);
export const errNoMergeKey = (m: unknown, key: string) =>
  new SmpError(`map: ${goFormat(m)} does not contain declared merge key: ${key}`);
export const errBadPatchType = (t: unknown, m: unknown) => new SmpError(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);
export const errBadArgType = (expected: 'map' | 'list', actual: unknown) =>
  new SmpError(`expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goTypeName(actual)}`);
