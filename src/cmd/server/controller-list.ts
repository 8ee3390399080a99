/**
 * @module Every controller the controller manager runs, in start order. Adding a controller
 * means adding its entry here.
 */
import type { Controller, ControllerContext } from '../../controllers/framework/controller.ts';
import { NamespaceController } from '../../controllers/namespace.ts';

export interface ControllerEntry {
  /** The controller's name that never changes (also its logger's `controller` field). */
  name: string;
  make(ctx: ControllerContext): Controller;
}

export const controllerList: ControllerEntry[] = [
  { name: 'namespace-controller', make: (ctx) => new NamespaceController(ctx.client, ctx.clock, ctx.logger) },
];
