// Near-valid messages: a valid document with a few of its fields replaced, removed or given extra siblings — the
// inputs most likely to get past a first check and break something deeper.
import fc from 'fast-check';

type Json = unknown;

function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(root: Json, path: (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let cur = copy;
  for (const k of path.slice(0, -1)) cur = cur[k] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(cur)) cur.splice(Number(last), 1);
    else delete cur[last];
  } else cur[last] = value;
  return copy;
}

const edit = fc.tuple(fc.nat(), fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constant(undefined),
  fc.constantFrom(-1, 0, 2 ** 53, 1e308, '', 'x'.repeat(5000), '../x', '\u0000', [], {}, null, true),
));

/** 1-3 edits of `doc` at random paths. */
export const mutated = (doc: Json) => fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
  let v = doc;
  for (const [n, value] of edits) {
    const ps = paths(v);
    v = setAt(v, ps[n % ps.length], value);
  }
  return v;
});
