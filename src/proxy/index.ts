/**
 * @module The service proxy's entry point for the agents: `startServiceProxy` runs the sync
 * loop over a backend (nftables for real pods, userspace where nft is not possible).
 */
export { startServiceProxy, type ServiceProxyHandle, type ServiceProxyOptions } from './runner.ts';
export { createNftablesBackend, type NftablesBackendOptions } from './nftables/backend.ts';
export type { ProxyBackend, ProxyTable } from './model.ts';
