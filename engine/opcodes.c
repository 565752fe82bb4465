/* opcodes.c -- the name and property tables, generated from opcodes.def. */
#include "bytecode.h"

const hm_opinfo hm_op_info[HM_NUM_OPCODES] = {
#define HM_OP(name, fmt, ka, kb, kc, wa, syn) { #name, FMT_##fmt, K_##ka, K_##kb, K_##kc, WA_##wa, syn },
#include "opcodes.def"
#undef HM_OP
};
