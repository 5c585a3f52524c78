import * as iced from "iced-x86";
const {Decoder, DecoderOptions, Formatter, FormatterSyntax, Code, MemorySize} = iced;
const f = new Formatter(FormatterSyntax.Intel);
const args = process.argv.slice(2);
const bits = args[0] === "32" ? 32 : 64;
for (const hex of args.slice(1)) {
  const b = Uint8Array.from(hex.match(/../g).map(x=>parseInt(x,16)));
  const d = new Decoder(bits, b, DecoderOptions.None);
  const i = d.decode();
  console.log(hex, i.isInvalid ? "INVALID" : "", i.length, f.format(i), "|", Code[i.code], "ms="+MemorySize[i.memorySize], "disp="+i.memoryDisplacement);
}
