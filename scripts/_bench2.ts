import { lookupVex } from "../src/cpu/decoder/vex";
let s = 99;
const next = (): number => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
const args: number[][] = [];
for (let i = 0; i < 50000; i++) {
  const enc = [1, 2, 2, 3][next() % 4]!;
  const map = enc === 3 ? 8 + (next() % 3) : [1, 2, 3, 5, 6][next() % (enc === 2 ? 5 : 3)]!;
  const mrm = next() & 255;
  args.push([enc, map, next() & 255, [0, 0x66, 0xf3, 0xf2][next() % 4]!, next() & 1, next() % (enc === 2 ? 3 : 2), mrm, next() & 1, (next() & 7) === 0 ? 1 : 0, next() & 1]);
}
let valid = 0;
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  for (let r = 0; r < 40; r++)
    for (const a of args) {
      const m = a[6]!;
      const l = lookupVex(a[0]!, a[1]!, a[2]!, a[3]! as 0, a[4]!, a[5]!, m >= 0xc0, (m >> 3) & 7, 64, a[8]!, m & 7, a[7]!, 0, m);
      if (l !== undefined) valid++;
    }
  const t1 = performance.now();
  console.log(`${(((t1 - t0) * 1e6) / (40 * args.length)).toFixed(1)} ns/lookup`);
}
console.log(valid);
