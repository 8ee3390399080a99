/**
 * @module kubelet/server/streams/stream-handlers
 * The exec, attach and port-forward handlers bound to one runtime, as the kubelet server
 * takes them.
 */
import { attachHandler } from '../attach.ts';
import { execHandler, type StreamDeps } from '../exec.ts';
import type { StreamHandlers } from '../handlers.ts';
import { portForwardHandler } from '../port-forward.ts';

export function streamHandlers(deps: StreamDeps): StreamHandlers {
  return { exec: execHandler(deps), attach: attachHandler(deps), portForward: portForwardHandler(deps) };
}
