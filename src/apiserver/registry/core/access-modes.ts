/**
 * @module The short access-mode names volumes and claims print (RWO, ROX, RWX, RWOP).
 */
const modeShort: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };

export const accessModes = (m: readonly string[] | undefined): string => (m ?? []).map((x) => modeShort[x] ?? x).join(',');
