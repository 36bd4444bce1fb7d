/**
 * G.711 µ-law → A-law without going through linear PCM, by the conversion table of the G.711
 * recommendation (as in Sun's public-domain g711.c, with the 1994 correction of entry 80), so a
 * PCMA cluster gets what a PCMU cluster gets with no second quantisation.
 */
// µ-law magnitude code (sign removed, inverted) → A-law magnitude code + 1.
const U_TO_A = Uint8Array.from([
  1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
  24, 25, 27, 29, 31, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 48, 49, 50, 51, 52, 53, 54, 55, 56,
  57, 58, 59, 60, 61, 62, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 82, 83, 84, 85,
  86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109,
  110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126, 127, 128,
]);

/** All 256 µ-law codes → their A-law code (A-law's even bits are inverted on the wire: 0x55). */
export const MULAW_TO_ALAW = Uint8Array.from({ length: 256 }, (_, mu) =>
  mu & 0x80 ? 0xd5 ^ ((U_TO_A[0xff ^ mu] ?? 1) - 1) : 0x55 ^ ((U_TO_A[0x7f ^ mu] ?? 1) - 1),
);

export function mulawToAlaw(mulaw: Buffer): Buffer {
  const alaw = Buffer.allocUnsafe(mulaw.length);
  for (let i = 0; i < mulaw.length; i++) alaw[i] = MULAW_TO_ALAW[mulaw[i] ?? 0] ?? 0;
  return alaw;
}
