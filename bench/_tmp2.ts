import { Cpu, FlatBus } from "../src/cpu/index";
const CODE = 0x401000;
function bench(name: string, body: number[], n = 6): void {
  const bus = new FlatBus();
  bus.map(CODE, 0x1000);
  const code = [...body, 0xff, 0xc9, 0x75, 0x100 - (body.length + 4)];
  bus.writeBytes(CODE, Uint8Array.from(code));
  const cpu = new Cpu(bus);
  cpu.setMode(64);
  for (let k = 0; k < 64; k++) cpu.xmmF32[k] = 1 + k * 0.37;
  let best = 0;
  for (let rep = 0; rep < 3; rep++) {
    cpu.lo[1] = 300000; cpu.rip = CODE;
    const t = performance.now();
    cpu.run(100_000_000);
    const dt = performance.now() - t;
    best = Math.max(best, ((n + 2) * 300000) / dt / 1000);
  }
  console.log(name.padEnd(12), best.toFixed(1), "M insn/s");
}
const rep = (b: number[]) => [...b, ...b, ...b, ...b, ...b, ...b];
bench("add r,r", rep([0x01, 0xd8]));
bench("addps", rep([0x0f,0x58,0xc1]));
bench("mulps", rep([0x0f,0x59,0xc1]));
bench("addsd", rep([0xf2,0x0f,0x58,0xc1]));
bench("mulsd", rep([0xf2,0x0f,0x59,0xc1]));
bench("divsd", rep([0xf2,0x0f,0x5e,0xc1]));
bench("paddd", rep([0x66,0x0f,0xfe,0xc1]));
bench("pshufd", rep([0x66,0x0f,0x70,0xc1,0x1b]));
bench("movaps", rep([0x0f,0x28,0xc1]));
bench("movss m", rep([0xf3,0x0f,0x10,0x04,0x24]));
bench("pxor", rep([0x66,0x0f,0xef,0xc1]));
bench("cvtsi2sd", rep([0xf2,0x0f,0x2a,0xc0]));
bench("cvttsd2si", rep([0xf2,0x0f,0x2c,0xc0]));
bench("comisd", rep([0x66,0x0f,0x2f,0xc1]));
