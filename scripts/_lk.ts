// ad-hoc: lookup-level random run with many samples
import { diff, fmt, hexOf, icedDecode, refDecode, randomVexFamily } from "../test/vex-harness";
const bits = Number(process.argv[2]) as 32 | 64;
const n = Number(process.argv[3]);
let s = Number(process.argv[4] ?? 12345) >>> 0;
const next = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
const groups = new Map<string, string[]>();
let mm = 0;
for (let i = 0; i < n; i++) {
  const b = randomVexFamily(next, bits);
  const want = icedDecode(b, bits);
  const got = refDecode(b, bits);
  if (got === null) continue;
  const d = diff(want, got);
  if (d === "") continue;
  mm++;
  const key = `${d} ${want.mnemonic || got.mnemonic}`;
  const g = groups.get(key) ?? [];
  if (g.length < 3) g.push(`${hexOf(b, Math.max(want.len, got.len, 6))}\n   iced: ${fmt(want)}\n   ours: ${fmt(got)}`);
  groups.set(key, g);
}
for (const [k, g] of groups) console.log(k, "\n  " + g.join("\n  "));
console.log(`${bits}: ${mm} mismatches / ${n}`);
