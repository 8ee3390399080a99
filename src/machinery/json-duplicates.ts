/**
 * @module Finds duplicate object keys in JSON text (JSON.parse silently keeps the last one),
 * for `fieldValidation=Strict|Warn`. Paths use the strict decoder's form: `spec.replicas`,
 * `spec.containers[0].name`. Input that is not valid JSON yields [] (the parser reports it).
 */
export function duplicateFields(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const join = (p: string, k: string) => (p ? `${p}.${k}` : k);
  const value = (path: string, depth: number): void => {
    if (depth > 512) throw new Error('too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        if (seen.has(key)) out.push(join(path, key));
        seen.add(key);
        ws();
        i++; // ':'
        value(join(path, key), depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // '}'
        return;
      }
    }
    if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`, depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        i++; // ']'
        return;
      }
    }
    if (c === '"') {
      str();
      return;
    }
    while (i < text.length && !',}] \t\n\r'.includes(text[i]!)) i++;
  };
  try {
    value('', 0);
  } catch {
    return [];
  }
  return out;
}
