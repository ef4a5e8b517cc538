#!/usr/bin/env python3
"""Writes the fuzz_solve seed corpus and regression inputs in the byte layout that
fuzz_solve.cpp documents; rerun after changing that layout:  python3 tests/fuzz/make_solve_inputs.py
Check what an input decodes to with  BPQP_FUZZ_VERBOSE=1 build-fuzz/fuzz_solve FILE."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SPECIAL = {'nan': 3, 'inf': 4, '-inf': 5, '1e20': 6, '-1e20': 7, '1e30': 8, '-1e30': 9,
           'dmax': 10, 'dmin': 11, 'denorm': 12, '1e-30': 13, '-0': 14, '1e10': 15}


def value(x):
    if x in SPECIAL:
        return bytes([SPECIAL[x]])
    if x * 8 == int(x * 8) and -13 <= x < 13:
        return bytes([120 + int(x * 8)])  # tags 16..223: (tag - 120) / 8
    return bytes([240]) + struct.pack('>d', x)  # raw double bits


def write(folder, name, *, double, n, m, batch, values, settings=(0b0111, 0, 0, 0), structure=0,
          misuse=None, strides=(1, 1, 1, 1, 1)):
    head = (1 if double else 0) | (6 if misuse is not None else 0)
    data = bytes([head, n - 1, m, batch - 1, *settings, structure, misuse or 0, *strides])
    data += b''.join(value(v) for v in values)
    path = os.path.join(HERE, folder, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


# settings bytes: [a] bit 0 polish, 1 adaptive rho, 2 convexity check, 3 no scaling, 4-5 max_iter
# {200, 1, 25, 60}, 6-7 check_every {25, 1, 7, 1000}; [b] [c] [d]: see make_settings. 0b0111: the
# library's defaults except max_iter 200.
CORPUS = 'corpus/fuzz_solve'
write(CORPUS, 'double_gram_single.bin', double=True, n=2, m=1, batch=1, structure=2 | 4,
      values=[1, 0.5, 0, 1, 1, -1, 1, 1, -1, 1])
write(CORPUS, 'float_batch_shared.bin', double=False, n=3, m=2, batch=3, structure=1 | 4, strides=(0, 2, 0, 1, 1),
      values=[2, 0.5, 0, 9, 3, 1, 7, 7, 1.5,                      # P (upper triangle mirrored), shared
              1, -2, 0.25, 5, 0, 1, -1, 5, 3, 3, 3, 5,             # q, stride 4 (one padding entry)
              1, 1, 0, 0, 1, 1,                                    # A shared
              0, -1, 0.5, -2, 1, 'inf',                            # l
              4, 2, -3, '1e30', 1, 1])                             # u
write(CORPUS, 'double_specials.bin', double=True, n=2, m=2, batch=3, structure=1, strides=(0, 1, 0, 1, 1),
      values=[4, 1, 1, 3, 1, 1, 'nan', 0, 'denorm', -2, 1, 0, 0, 1,
              '-inf', -1e25, '1e30', 0, -1, -1, 1, 1e25, 'inf', 'dmax', 1, 1])
write(CORPUS, 'misuse_aliasing_stride.bin', double=True, n=2, m=2, batch=2, structure=2, misuse=6,
      strides=(1, 1, 3, 1, 1), values=[1] * 20)
write(CORPUS, 'infeasible_pair.bin', double=False, n=1, m=2, batch=2, settings=(0b0110, 0, 0, 0),
      strides=(1, 1, 0, 1, 1), values=[0, 0, 1, -1, 1, 1, 1, '-inf', -1, '-inf', 'inf', 0, 'inf', 'inf'])
write(CORPUS, 'nonconvex_no_check.bin', double=True, n=3, m=1, batch=1, structure=3,
      settings=(0b01101011 & 0b01111011, 0b01010001, 0, 0),
      values=[-1, 0, 0, 0, 2, 0, 0, 0, -0.5, 1, 1, 1, 1, 1, 1, -1, 1])
write(CORPUS, 'interior_point_after_10.bin', double=True, n=3, m=3, batch=1, structure=2 | 4,
      settings=(0b01000110, 0b11000000, 0, 0b00000100),  # no polish, check every iteration, eps_abs 1e-9, interior_point_after 10
      values=[1, 2, 0, 0, 1, 1, 0, 0, 0.125, 1, -1, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 2, 'inf'])

# Findings: each input failed a property when it was saved (tests/fuzz/regressions/README.md).
REGRESSIONS = 'regressions/fuzz_solve'
write(REGRESSIONS, 'solved_nan_upper_bound_minus_inf', double=True, n=1, m=1, batch=1,
      values=[1, 0, 1, '-inf', '-inf'])
write(REGRESSIONS, 'solved_nan_nonconvex_unchecked', double=True, n=1, m=1, batch=1,
      settings=(0b0011, 0, 0b1000, 0), values=[-4.875, -4, 0, 0, 0])
write(REGRESSIONS, 'solved_inf_x_q_dbl_max', double=True, n=1, m=0, batch=1, settings=(0b0100, 0, 0, 0),
      values=[1, 'dmax'])
write(REGRESSIONS, 'primal_infeasible_nan_certificate_float', double=False, n=1, m=1, batch=1,
      values=[1, '1e20', '1e-30', 2.625, 2.625])
