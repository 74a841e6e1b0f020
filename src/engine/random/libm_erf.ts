/**
 * erf(x) in double as glibc 2.36 computes it (sysdeps/ieee754/dbl-64/s_erf.c, Sun's fdlibm algorithm with its
 * polynomials evaluated in pairs), for CPython's math.erf, which nn.init.trunc_normal_ calls. The constants are
 * fdlibm's published coefficients. Its exp calls are glibc's exp, computed here correctly rounded (pyExp).
 */
import { pyExp } from "./libm_pow";

const ERX = 8.45062911510467529297e-1;
const EFX = 1.28379167095512586316e-1;
// erf on [0, 0.84375]: x + x * P(x^2) / Q(x^2)
const PP = [1.28379167095512558561e-1, -3.25042107247001499370e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3, -2.37630166566501626084e-5];
const QQ = [3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4, -3.96022827877536812320e-6];
// erf on [0.84375, 1.25]: erx + P(s) / Q(s), s = |x| - 1
const PA = [-2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1, -1.10894694282396677476e-1, 3.54783043256182359371e-2, -2.16637559486879084300e-3];
const QA = [1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1, 1.36370839120290507362e-2, 1.19844998467991074170e-2];
// erfc on [1.25, 1/0.35] and [1/0.35, 6]: exp(-x^2 - 0.5625 + R(1/x^2) / S(1/x^2)) / x
const RA = [-9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1, -1.62396669462573470355e2, -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592];
const SA = [1.96512716674392571292e1, 1.37657754143519042600e2, 4.34565877475229228821e2, 6.45387271733267880336e2, 4.29008140027567833386e2, 1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2];
const RB = [-9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2, -6.37566443368389627722e2, -1.02509513161107724954e3, -4.83519191608651397019e2];
const SB = [3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3, 2.55305040643316442583e3, 4.74528541206955367215e2, -2.24409524465858183362e1];

const scratch = new Float64Array(1);
const words = new Uint32Array(scratch.buffer);
const LOW = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 0 : 1;

/** x with the low 32 bits of its representation cleared (fdlibm's SET_LOW_WORD(z, 0)). */
function highPart(x: number): number {
  scratch[0] = x;
  words[LOW] = 0;
  return scratch[0];
}

export function libmErf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const sign = x < 0 || Object.is(x, -0) ? -1 : 1;
  if (ax === Infinity) return sign;
  if (ax < 0.84375) {
    if (ax < 2 ** -28) return x + EFX * x;
    const z = x * x;
    const z2 = z * z;
    const z4 = z2 * z2;
    const r = PP[0] + z * PP[1] + z2 * (PP[2] + z * PP[3]) + z4 * PP[4];
    const s = 1 + z * QQ[0] + z2 * (QQ[1] + z * QQ[2]) + z4 * (QQ[3] + z * QQ[4]);
    return x + x * (r / s);
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const s2 = s * s;
    const s4 = s2 * s2;
    const s6 = s4 * s2;
    const p = PA[0] + s * PA[1] + s2 * (PA[2] + s * PA[3]) + s4 * (PA[4] + s * PA[5]) + s6 * PA[6];
    const q = 1 + s * QA[0] + s2 * (QA[1] + s * QA[2]) + s4 * (QA[3] + s * QA[4]) + s6 * QA[5];
    return sign * (ERX + p / q);
  }
  if (ax >= 6) return sign * (1 - 2 ** -1022 * 0); // one - tiny rounds to one
  const s = 1 / (ax * ax);
  const s2 = s * s;
  const s4 = s2 * s2;
  const s6 = s4 * s2;
  let R: number;
  let S: number;
  if (ax < 1 / 0.35) {
    const s8 = s4 * s4;
    R = RA[0] + s * RA[1] + s2 * (RA[2] + s * RA[3]) + s4 * (RA[4] + s * RA[5]) + s6 * (RA[6] + s * RA[7]);
    S = 1 + s * SA[0] + s2 * (SA[1] + s * SA[2]) + s4 * (SA[3] + s * SA[4]) + s6 * (SA[5] + s * SA[6]) + s8 * SA[7];
  } else {
    R = RB[0] + s * RB[1] + s2 * (RB[2] + s * RB[3]) + s4 * (RB[4] + s * RB[5]) + s6 * RB[6];
    S = 1 + s * SB[0] + s2 * (SB[1] + s * SB[2]) + s4 * (SB[3] + s * SB[4]) + s6 * (SB[5] + s * SB[6]);
  }
  const z = highPart(ax);
  const r = pyExp(-z * z - 0.5625) * pyExp((z - ax) * (z + ax) + R / S);
  return sign * (1 - r / ax);
}
