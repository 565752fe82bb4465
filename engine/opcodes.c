/* opcodes.c -- the name and property tables, generated from opcodes.def. */
#include "bytecode.h"

const hm_opinfo hm_op_info[HM_NUM_OPCODES] = {
#define HM_OP(name, fmt, ka, kb, kc, wa, syn) { #name, FMT_##fmt, K_##ka, K_##kb, K_##kc, WA_##wa, syn },
#include "opcodes.def"
#undef HM_OP
};

int hm_decode(const hm_instr *code, uint32_t ncode, uint32_t pc, hm_decoded *d)
{
    hm_instr i = code[pc];
    int op = GET_OP(i);
    *d = (hm_decoded){ op, GETARG_A(i), 0, 0, 1 };
    if (op >= HM_NUM_OPCODES || op == OP_EXTRAARG)
        return -1;
    const hm_opinfo *in = &hm_op_info[op];
    int *extended = NULL;     /* the operand whose index is the EXTRAARG's */
    switch (in->fmt) {
    case FMT_ABC:
        d->b = GETARG_B(i);
        d->c = GETARG_C(i);
        if (hm_kind_is_index(in->kc) && d->c == MAXARG_C)
            extended = &d->c;
        break;
    case FMT_ABx:
        d->b = GETARG_Bx(i);
        if (hm_kind_is_index(in->kb) && d->b == MAXARG_BX)
            extended = &d->b;
        break;
    default:
        d->b = GETARG_sBx(i);
        break;
    }
    if (!extended)
        return 0;
    if (pc + 1 >= ncode || GET_OP(code[pc + 1]) != OP_EXTRAARG)
        return -1;
    *extended = GETARG_Ax(code[pc + 1]);
    d->len = 2;
    return 0;
}
