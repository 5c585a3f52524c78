/**
 * The image checksum of imagehlp's CheckSumMappedFile, which the optional header's CheckSum field holds
 * when a linker fills it in: the file summed as 16-bit little-endian words with end-around carry, the
 * CheckSum field itself counted as zero, plus the file length.
 */
export function computeChecksum(file: Uint8Array, checksumOffset: number): number {
  let sum = 0;
  const n = file.length;
  for (let k = 0; k < n; k += 2) {
    let w = k + 1 < n ? file[k] | (file[k + 1] << 8) : file[k];
    if (k === checksumOffset || k === checksumOffset + 2) w = 0;
    sum += w;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  sum = (sum & 0xffff) + (sum >>> 16);
  return (sum + n) >>> 0;
}
