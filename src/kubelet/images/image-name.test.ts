/** @module Unit tests of {@link imageNameError}: the reference grammar the kubelet checks before a pull. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageNameError } from './image-name.ts';

test('valid references pass', () => {
  for (const ok of ['busybox', 'busybox:1.36', '127.0.0.1:5000/busybox:1.36', 'localhost/a/b_c__d-e', 'Registry.Example.com:443/x/y',
    `busybox@sha256:${'a'.repeat(64)}`, `r.io/x:t@sha256:${'0'.repeat(64)}`, '[::1]:5000/img'])
    assert.equal(imageNameError(ok), undefined, ok);
});

test('invalid references give distribution\'s messages', () => {
  assert.equal(imageNameError('Busybox'), `couldn't parse image name "Busybox": invalid reference format: repository name (Busybox) must be lowercase`);
  assert.equal(imageNameError('bad image'), `couldn't parse image name "bad image": invalid reference format`);
  assert.equal(imageNameError('busybox:'), `couldn't parse image name "busybox:": invalid reference format`);
  assert.equal(imageNameError('a//b'), `couldn't parse image name "a//b": invalid reference format`);
  assert.equal(imageNameError('busybox@sha256:xyz'), `couldn't parse image name "busybox@sha256:xyz": invalid reference format`);
  assert.match(imageNameError('a'.repeat(64))!, /cannot specify 64-byte hexadecimal strings$/);
  assert.match(imageNameError('x/' + 'a'.repeat(260))!, /must not be more than 255 characters$/);
});
