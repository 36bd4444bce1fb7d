// The chain heads an export or report was made from, so that `loa log verify --against <file>`
// can later prove the log still passes through them (a rewrite of a whole chain by someone with
// database access changes the hash at those positions). Every export prints one line:
//
//   {"chainHeads":[{"commune":"<commune code>","seq":<n>,"hash":"<64 hex>"}, …]}
//
// as text (CSV: one cell, whose quotes CSV doubles; XLSX: one cell; PDF/HTML: the line itself).
// `findChainHeads` finds that block in any such text.
import { z } from 'zod';

export const ChainHead = z.strictObject({
  commune: z.string().min(1),
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
});
export type ChainHead = z.infer<typeof ChainHead>;

const ChainHeads = z.strictObject({ chainHeads: z.array(ChainHead) });

const MARKER = '{"chainHeads"';

/** The one-line block an export embeds (heads sorted by commune code, so equal heads print equally). */
export function formatChainHeads(heads: readonly ChainHead[]): string {
  const sorted = [...heads].sort((a, b) => (a.commune < b.commune ? -1 : a.commune > b.commune ? 1 : 0));
  return JSON.stringify({ chainHeads: sorted.map(({ commune, seq, hash }) => ({ commune, seq, hash })) });
}

export class ChainHeadsNotFound extends Error {
  override readonly name = 'ChainHeadsNotFound';
}

/** Every chain-heads block in `text` (plain, or inside a CSV cell), merged; throws if there is none. */
export function findChainHeads(text: string): ChainHead[] {
  const found = blocks(text);
  if (found.length === 0) found.push(...blocks(text.replaceAll('""', '"')));
  if (found.length === 0) {
    throw new ChainHeadsNotFound(
      'không tìm thấy khối chainHeads trong tệp / no {"chainHeads":[…]} block in the file',
    );
  }
  return found.flatMap((b) => b.chainHeads);
}

function blocks(text: string): z.infer<typeof ChainHeads>[] {
  const out: z.infer<typeof ChainHeads>[] = [];
  for (let at = text.indexOf(MARKER); at >= 0; at = text.indexOf(MARKER, at + 1)) {
    const end = closingBrace(text, at);
    if (end < 0) continue;
    try {
      const parsed = ChainHeads.safeParse(JSON.parse(text.slice(at, end + 1)));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // Not JSON after all (a truncated or mangled copy): look for another block.
    }
  }
  return out;
}

/** Index of the brace closing the object that opens at `start`, strings respected; -1 if none. */
function closingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return c === '}' ? i : -1;
    }
  }
  return -1;
}
