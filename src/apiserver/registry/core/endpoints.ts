/**
 * @module Endpoints strategy: the ENDPOINTS column lists up to three ip:port pairs.
 */
import type { Endpoints } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../../../api/object.ts';
import { ageColumn, ageOf, column, nameColumn } from '../printing.ts';
import type { Strategy } from '../strategy.ts';
import { coreInfo } from './info.ts';

function endpointsCell(e: Endpoints): string {
  const all: string[] = [];
  for (const s of e.subsets ?? [])
    for (const a of s.addresses ?? []) {
      if (!s.ports?.length) all.push(a.ip);
      for (const p of s.ports ?? []) all.push(`${a.ip}:${p.port}`);
    }
  if (all.length === 0) return '<none>';
  return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
}

export const endpoints: Strategy<Endpoints & KubeObject> = {
  info: coreInfo('endpoints'),
  validate: () => [],
  table: {
    columns: [nameColumn, column('Endpoints', 'string', 'Endpoints of the service'), ageColumn],
    cells: (e, now) => [e.metadata?.name ?? '', endpointsCell(e), ageOf(e, now)],
  },
};
