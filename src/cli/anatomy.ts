/** `wowdbg decode`: our decoder's fields plus iced-x86's Intel-syntax text. */
import { Decoder, DecoderOptions, Formatter, FormatterSyntax } from "iced-x86";
import { hexBytes } from "../common/hex";
import { decode } from "../cpu/decoder/decoder";
import { anatomyText } from "../cpu/decoder/anatomy";

export function anatomy(bytes: Uint8Array, bits: 32 | 64, ip: number): string {
  const buf = new Uint8Array(16);
  buf.set(bytes.subarray(0, 16));
  const insn = decode(buf, Math.min(bytes.length, 16), ip, bits);
  const dec = new Decoder(bits, bytes, DecoderOptions.None);
  dec.ip = BigInt(ip);
  const ins = dec.decode();
  const fmt = new Formatter(FormatterSyntax.Intel);
  const text = fmt.format(ins);
  ins.free();
  dec.free();
  fmt.free();
  return `${hexBytes(bytes, insn.len)}    ${text}\n${anatomyText(insn)}`;
}
