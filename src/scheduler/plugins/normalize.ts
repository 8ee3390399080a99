/**
 * @module Score normalisation shared by several plugins (upstream helper.DefaultNormalizeScore):
 * scale so the highest raw score becomes maxNodeScore; `reverse` flips it for "fewer is better".
 */
import { maxNodeScore } from '../framework/types.ts';

export function defaultNormalizeScore(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(maxNodeScore);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc((maxNodeScore * scores[i]!) / max);
    if (reverse) s = maxNodeScore - s;
    scores[i] = s;
  }
}
