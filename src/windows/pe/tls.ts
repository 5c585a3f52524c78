/**
 * The TLS directory (PE/COFF specification, "The .tls Section"): IMAGE_TLS_DIRECTORY32/64. Its fields and
 * the callback array hold virtual addresses (relocated like any pointer); they are turned into RVAs with
 * the preferred ImageBase and must point inside the image.
 */
import { PeError, hx } from "./error";
import { TWO32 } from "./reader";
import { TlsDirectory } from "./types";
import { ImageView } from "./view";

const F = "IMAGE_TLS_DIRECTORY";

export function parseTls(
  view: ImageView,
  bits: 32 | 64,
  imageBase: number,
  dirRva: number,
  dirOffset: number,
  maxSize: number,
): TlsDirectory {
  const width = bits === 64 ? 8 : 4;
  const size = bits === 64 ? 40 : 24;
  const at = view.at(dirRva, size, { field: F, value: dirRva, offset: dirOffset });
  const dv = view.file.view;
  const va = (o: number): number =>
    bits === 64 ? dv.getUint32(o, true) + dv.getUint32(o + 4, true) * TWO32 : dv.getUint32(o, true);
  /** An address field as an RVA, `len` bytes of which must lie in the image (`len` 0: may be the end). */
  const toRva = (o: number, name: string, len: number): number => {
    const v = va(o);
    const rva = v - imageBase;
    if (!(rva >= 0 && rva + len <= view.mappedSize)) {
      // A 64-bit value beyond 2^53 is inexact here but is outside the image all the same.
      const shown =
        bits === 64 ? (BigInt(dv.getUint32(o + 4, true)) << 32n) | BigInt(dv.getUint32(o, true)) : v;
      throw new PeError(
        `${F}.${name}`,
        shown,
        o,
        `outside the image (${hx(imageBase)}..${hx(imageBase + view.mappedSize)})`,
      );
    }
    return rva;
  };

  const start = va(at);
  const end = va(at + width);
  const index = va(at + 2 * width);
  const callbacksVa = va(at + 3 * width);
  const sizeOfZeroFill = dv.getUint32(at + 4 * width, true);
  const characteristics = dv.getUint32(at + 4 * width + 4, true);

  let rawDataRva = 0;
  let rawDataSize = 0;
  if (start !== 0 || end !== 0) {
    rawDataRva = toRva(at, "StartAddressOfRawData", 0);
    const endRva = toRva(at + width, "EndAddressOfRawData", 0);
    if (endRva < rawDataRva) {
      throw new PeError(
        `${F}.EndAddressOfRawData`,
        end,
        at + width,
        `before StartAddressOfRawData ${hx(start)}`,
      );
    }
    rawDataSize = endRva - rawDataRva;
  }
  if (rawDataSize + sizeOfZeroFill > maxSize) {
    throw new PeError(
      `${F}.SizeOfZeroFill`,
      sizeOfZeroFill,
      at + 4 * width,
      `a ${hx(rawDataSize + sizeOfZeroFill)}-byte TLS block per thread is absurd; refusing it`,
    );
  }
  const indexRva = index === 0 ? 0 : toRva(at + 2 * width, "AddressOfIndex", 4);

  const callbacks: number[] = [];
  let callbacksRva = 0;
  if (callbacksVa !== 0) {
    callbacksRva = toRva(at + 3 * width, "AddressOfCallBacks", width);
    for (let k = 0; ; k++) {
      const o = view.at(callbacksRva + width * k, width, {
        field: `${F}.AddressOfCallBacks[${k}]`,
        value: callbacksRva + width * k,
        offset: k === 0 ? at + 3 * width : undefined,
      });
      if (va(o) === 0) break;
      callbacks.push(toRva(o, `AddressOfCallBacks[${k}]`, 1));
    }
  }
  return {
    startAddressOfRawData: start,
    endAddressOfRawData: end,
    addressOfIndex: index,
    addressOfCallBacks: callbacksVa,
    sizeOfZeroFill,
    characteristics,
    rawDataRva,
    rawDataSize,
    indexRva,
    callbacksRva,
    callbacks,
  };
}
