/* vm_run.h -- the interpreter loop, included twice by vm.c: once plain
 * (VM_TRACED 0), once recording every instruction it executes for explain
 * (VM_TRACED 1).  Keeping one text for both means explain shows exactly
 * what a batch run computes, and a batch run pays nothing for tracing.
 *
 * Expects VM_RUN (the function's name) and VM_TRACED to be defined, and
 * vm.c's register macros (RA, RB, RC, SET, FAIL, ...).
 *
 * Each opcode's case ends with VM_NEXT.  Traced, or without GCC's labels as
 * values, that is a break back to the one switch.  Plain, with them, it
 * fetches the next instruction and jumps straight to its case through a
 * table made from opcodes.def (direct threading): each opcode has its own
 * indirect jump, each predicted on its own, instead of the switch's one
 * shared jump back at the top.  Either way the cases are the same text.
 *
 * One difference: plain, LET and CALL go on in this loop with the callee's
 * code (VM_PUSH, and RET back), where traced they call VM_RUN again, so
 * that each call is recorded as it starts.  The values are the same. */
#if !VM_TRACED && defined(__GNUC__)
#define VM_THREADED 1
#define VM_CASE(op) case OP_##op: L_##op:
/* the table has a case for every byte: no test of the opcode first */
#define VM_NEXT                                           \
    do {                                                  \
        i = code[pc++];                                   \
        goto *threaded[GET_OP(i)];                        \
    } while (0)
#else
#define VM_THREADED 0
#define VM_CASE(op) case OP_##op:
#define VM_NEXT break
#endif

#if !VM_TRACED
/* LET and CALL in the plain loop: keep the caller in a frame, and go on
 * with the callee's code (see vm_frame in vm.c).  RET comes back. */
#define VM_PUSH(callee, kind_, memo_, ccode, cnregs)                                    \
    do {                                                                                \
        vm->frames[vm->nframes++] = (vm_frame){ code, base, saved_top, pc, fn, (memo_), \
                                                (uint8_t)GETARG_A(i), (kind_) };        \
        saved_top = vm->top;                                                            \
        vm->top += (size_t)(cnregs);                                                    \
        base = vm->regs + saved_top;                                                    \
        code = (ccode);                                                                 \
        pc = 0;                                                                         \
        fn = (callee);                                                                  \
    } while (0)
/* the register stack has room for `need` more: always, in a verified program
 * (and then so have the frames: every function has a register) */
#define VM_ROOM(need) (vm->top + (size_t)(need) <= vm->nregs)
#endif

static hm_val VM_RUN(hm_vm *vm, int32_t fn, const hm_val *args)
{
    const hm_program *p = vm->p;
    const hm_function *F = &p->fns[fn];
    hm_val result = { 0, UNK_ERROR, 0 };
    if (vm->top + F->nregs > vm->nregs)
        return result;  /* cannot happen: the stack is sized for the worst chain */
    hm_val *base = vm->regs + vm->top;
    size_t saved_top = vm->top;
#if !VM_TRACED
    const size_t entry_top = vm->top;
    const int32_t entry_frames = vm->nframes;
#endif
    vm->top += F->nregs;
    /* no clearing: the verifier proved every register written before read */
    for (int a = 0; a < F->nparams; a++)
        base[a] = args[a];
    const hm_instr *code = p->code + F->start;
    const hm_facts *facts = vm->facts;
    uint32_t pc = 0;
    hm_instr i;
#if VM_TRACED
    int32_t caller_frame = trace_enter(vm, fn, base);
#endif
#if VM_THREADED
    static const void *const threaded[256] = {
#define HM_OP(name, fmt, ka, kb, kc, wa, syn) &&L_##name,
#include "opcodes.def"
#undef HM_OP
        [HM_NUM_OPCODES ... 255] = &&bad_opcode,
    };
    /* straight to the first instruction's case: the loop's switch below
     * only holds the cases, every one of which ends with a jump */
    VM_NEXT;
#endif
    for (;;) {
#if VM_TRACED
        uint32_t ipc = pc;
#endif
        i = code[pc++];
        switch ((hm_opcode)GET_OP(i)) {
        VM_CASE(LOADK) SET(RA, p->consts[IDX_BX()]); VM_NEXT;
        VM_CASE(LOADS) SET(RA, IDX_BX()); VM_NEXT;
        VM_CASE(LOADUNK) RA.v = 0; RA.unk = UNK_MISSING; VM_NEXT;
        VM_CASE(MOVE) RA = RB; VM_NEXT;
        VM_CASE(ASOF) SET(RA, vm->as_of); VM_NEXT;
        VM_CASE(ADD) {
            BINARY_UNK();
            int64_t r;
            if (__builtin_add_overflow(RB.v, RC.v, &r)) FAIL("arithmetic overflow");
            else SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(SUB) {
            BINARY_UNK();
            int64_t r;
            if (__builtin_sub_overflow(RB.v, RC.v, &r)) FAIL("arithmetic overflow");
            else SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(MUL) {
            BINARY_UNK();
            int64_t r;
            if (__builtin_mul_overflow(RB.v, RC.v, &r)) FAIL("arithmetic overflow");
            else SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(MULDEC) {
            BINARY_UNK();
            int64_t r;
            if (div_round((__int128)RB.v * RC.v, 1000000, &r) < 0) FAIL("arithmetic overflow");
            else SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(DIVINT) VM_CASE(DIVDEC) {
            BINARY_UNK();
            int64_t r;
            if (RC.v == 0) {
                FAIL("division by zero");
                VM_NEXT;
            }
            __int128 num = GET_OP(i) == OP_DIVDEC ? (__int128)RB.v * 1000000 : (__int128)RB.v;
            if (div_round(num, RC.v, &r) < 0) FAIL("arithmetic overflow");
            else SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(MULDIV) {
            BINARY_UNK();
            hm_val d = base[GETARG_C(i) + 1];
            if (d.unk) { RA.v = 0; RA.unk = d.unk; VM_NEXT; }
            int64_t r;
            if (d.v == 0) FAIL("division by zero");
            else if (div_round((__int128)RB.v * RC.v, d.v, &r) < 0) FAIL("arithmetic overflow");
            else SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(NEG)
            if (RB.unk) { RA = RB; VM_NEXT; }
            if (RB.v == INT64_MIN) FAIL("arithmetic overflow");
            else SET(RA, -RB.v);
            VM_NEXT;
        VM_CASE(SCALEUP) {
            if (RB.unk) { RA = RB; VM_NEXT; }
            int64_t r;
            if (__builtin_mul_overflow(RB.v, pow10_i(GETARG_C(i) > 18 ? 18 : GETARG_C(i)), &r))
                FAIL("arithmetic overflow");
            else SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(ABS)
            if (RB.unk) { RA = RB; VM_NEXT; }
            if (RB.v == INT64_MIN) FAIL("arithmetic overflow");
            else SET(RA, RB.v < 0 ? -RB.v : RB.v);
            VM_NEXT;
        VM_CASE(MIN) BINARY_UNK(); SET(RA, RB.v < RC.v ? RB.v : RC.v); VM_NEXT;
        VM_CASE(MAX) BINARY_UNK(); SET(RA, RB.v > RC.v ? RB.v : RC.v); VM_NEXT;
        VM_CASE(ROUND) VM_CASE(FLOOR) VM_CASE(CEIL) {
            BINARY_UNK();
            int64_t x = RB.v, step = RC.v, q;
            if (step <= 0) {
                FAIL("rounding to a step that is not positive");
                VM_NEXT;
            }
            if (GET_OP(i) == OP_ROUND) {
                if (div_round(x, step, &q) < 0) { FAIL("arithmetic overflow"); VM_NEXT; }
            } else {
                q = x / step;
                int64_t r = x % step;
                if (GET_OP(i) == OP_FLOOR && r < 0) q--;
                if (GET_OP(i) == OP_CEIL && r > 0) q++;
            }
            int64_t out;
            if (__builtin_mul_overflow(q, step, &out)) FAIL("arithmetic overflow");
            else SET(RA, out);
            VM_NEXT;
        }
        VM_CASE(MONTHLY)
            if (RB.unk) RA = RB;
            else SET(RA, div12_round(RB.v));
            VM_NEXT;
        VM_CASE(YEARLY) {
            if (RB.unk) { RA = RB; VM_NEXT; }
            int64_t r;
            if (__builtin_mul_overflow(RB.v, 12, &r)) FAIL("arithmetic overflow");
            else SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(LT) BINARY_UNK(); SET(RA, RB.v < RC.v); VM_NEXT;
        VM_CASE(LE) BINARY_UNK(); SET(RA, RB.v <= RC.v); VM_NEXT;
        VM_CASE(EQ) BINARY_UNK(); SET(RA, RB.v == RC.v); VM_NEXT;
        VM_CASE(NE) BINARY_UNK(); SET(RA, RB.v != RC.v); VM_NEXT;
        VM_CASE(EQTEXT) VM_CASE(NETEXT) {
            BINARY_UNK();
            int eq = RB.v == RC.v || strcmp(text_of(vm, RB.v), text_of(vm, RC.v)) == 0;
            SET(RA, GET_OP(i) == OP_EQTEXT ? eq : !eq);
            VM_NEXT;
        }
        VM_CASE(LTTEXT)
            BINARY_UNK();
            SET(RA, RB.v != RC.v && strcmp(text_of(vm, RB.v), text_of(vm, RC.v)) < 0);
            VM_NEXT;
        VM_CASE(RAISE) FAIL(prog_str(p, IDX_BX())); VM_NEXT;
        VM_CASE(PSUM) {
            const hm_val *b = &RB;
            if (b[0].unk || b[1].unk) { RA.v = 0; RA.unk = b[0].unk ? b[0].unk : b[1].unk; VM_NEXT; }
            if (b[1].v < 1 || b[1].v > 1200) { FAIL("a period of no month, or of more than 1200 months"); VM_NEXT; }
            int32_t pol = IDX_C();
            int32_t who = p->policies[pol].entity == ENT_PERSON ? vm->self : -1;
            if (p->policies[pol].entity == ENT_PERSON && who < 0) { FAIL("no person to decide for"); VM_NEXT; }
            int64_t sum = 0;
            int32_t unk = 0;
            for (int64_t k = 0; k < b[1].v && !unk; k++) {
                int32_t day = cal_add_months((int32_t)b[0].v, k);
                const hm_decision *d = month_decide(vm, pol, who, day);
                if (!d) {
                    unk = UNK_ERROR;
                    set_error(vm, fn, "out of memory");
                } else if (d->status == DEC_UNDETERMINED) {
                    unk = d->error ? UNK_ERROR : UNK_MISSING;
                    if (d->error)
                        month_error(vm, fn, day);
                } else if (d->status == DEC_ELIGIBLE && d->has_amount &&
                           __builtin_add_overflow(sum, d->amount, &sum)) {
                    unk = UNK_ERROR;
                    set_error(vm, fn, "arithmetic overflow");
                }
            }
            if (unk) { RA.v = 0; RA.unk = unk; }
            else SET(RA, sum);
            VM_NEXT;
        }
        VM_CASE(AND) {
            hm_val b = RB, c = RC;
            if ((!b.unk && !b.v) || (!c.unk && !c.v)) SET(RA, 0);
            else if (b.unk || c.unk) { RA.v = 0; RA.unk = UNK2(b, c); }
            else SET(RA, 1);
            VM_NEXT;
        }
        VM_CASE(OR) {
            hm_val b = RB, c = RC;
            if ((!b.unk && b.v) || (!c.unk && c.v)) SET(RA, 1);
            else if (b.unk || c.unk) { RA.v = 0; RA.unk = UNK2(b, c); }
            else SET(RA, 0);
            VM_NEXT;
        }
        VM_CASE(NOT)
            if (RB.unk) RA = RB;
            else SET(RA, !RB.v);
            VM_NEXT;
        VM_CASE(KNOWN) SET(RA, RB.unk == 0); VM_NEXT;
        VM_CASE(JMP) pc += (uint32_t)GETARG_sBx(i); VM_NEXT;
        VM_CASE(JMPFALSE) if (!RA.unk && !RA.v) pc += (uint32_t)GETARG_sBx(i); VM_NEXT;
        VM_CASE(JMPTRUE) if (!RA.unk && RA.v) pc += (uint32_t)GETARG_sBx(i); VM_NEXT;
        VM_CASE(JMPUNK) if (RA.unk) pc += (uint32_t)GETARG_sBx(i); VM_NEXT;
#if VM_TRACED
        VM_CASE(SKIPFALSE) VM_CASE(SKIPTRUE) VM_NEXT;
#else
        VM_CASE(SKIPFALSE) if (!RA.unk && !RA.v) pc += (uint32_t)GETARG_sBx(i); VM_NEXT;
        VM_CASE(SKIPTRUE) if (!RA.unk && RA.v) pc += (uint32_t)GETARG_sBx(i); VM_NEXT;
#endif
        VM_CASE(FORPREP) {
            hm_val *c = &RA;
            SET(c[0], 0);
            if (c[1].unk || c[1].v <= 0) pc += (uint32_t)GETARG_sBx(i);
            VM_NEXT;
        }
        VM_CASE(FORLOOP) {
            hm_val *c = &RA;
            c[0].v++;
            if (c[0].v < c[1].v) pc += (uint32_t)GETARG_sBx(i);
            VM_NEXT;
        }
        VM_CASE(RET)
#if !VM_TRACED
            if (vm->nframes > entry_frames) {
                /* back to a caller in this loop */
                hm_val r = RA;
                vm->top = saved_top;
                const vm_frame *fr = &vm->frames[--vm->nframes];
                code = fr->code;
                base = fr->base;
                saved_top = fr->top;
                pc = fr->pc;
                fn = fr->fn;
                if (fr->kind == FRAME_LET) {
                    memo_let *m = &vm->lets[fr->memo];
                    m->v = r;
                    m->busy = 0;
                } else if (fr->memo >= 0) {
                    memo_call *m = &vm->calls[fr->memo];
                    m->v = r;
                    m->busy = 0;
                }
                base[fr->ret] = r;
                VM_NEXT;
            }
#endif
            result = RA;
            vm->top = saved_top;
#if VM_TRACED
            trace_instr(vm, F->start + ipc, result);
            vm->frame = caller_frame;
#endif
            return result;
        /* a date past 9999-12-31 or before 0001-01-01 is an error, not a date */
        VM_CASE(ADDDAYS) {
            BINARY_UNK();
            int32_t r;
            if (RB.v < CAL_FIRST || RB.v > CAL_LAST || cal_add_days_in((int32_t)RB.v, RC.v, &r))
                FAIL("date outside the calendar (years 1 to 9999)");
            else
                SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(ADDMONTHS) {
            BINARY_UNK();
            int32_t r;
            if (RB.v < CAL_FIRST || RB.v > CAL_LAST || cal_add_months_in((int32_t)RB.v, RC.v, &r))
                FAIL("date outside the calendar (years 1 to 9999)");
            else
                SET(RA, r);
            VM_NEXT;
        }
        VM_CASE(AGEAT)
            BINARY_UNK();
            /* ages are mostly on the as-of date: looked up (cal_age_on) */
            if (RC.v == vm->as_of)
                SET(RA, cal_age_on(&vm->ages, (int32_t)RB.v));
            else
                SET(RA, cal_years_between((int32_t)RB.v, (int32_t)RC.v));
            VM_NEXT;
        VM_CASE(MONTHSBTW) BINARY_UNK(); SET(RA, cal_months_between((int32_t)RB.v, (int32_t)RC.v)); VM_NEXT;
        VM_CASE(DAYSBTW) BINARY_UNK(); SET(RA, RC.v - RB.v); VM_NEXT;
        VM_CASE(SOM) if (RB.unk) RA = RB; else SET(RA, cal_start_of_month((int32_t)RB.v)); VM_NEXT;
        VM_CASE(EOM) if (RB.unk) RA = RB; else SET(RA, cal_end_of_month((int32_t)RB.v)); VM_NEXT;
        VM_CASE(HFACT) {
            const hm_column *c = &facts->hcol[IDX_BX()];
            if (c->state[vm->hh] == FACT_KNOWN) SET(RA, c->v[vm->hh]);
            else if (vm->nassume) RA = unknown_fact(vm, c, vm->hh);
            else { RA.v = 0; RA.unk = UNK_MISSING; }
            VM_NEXT;
        }
        VM_CASE(PFACT) {
            int32_t col = IDX_C();
            if (RB.unk || RB.v < 0 || RB.v >= vm->nmem) { RA.v = 0; RA.unk = RB.unk ? RB.unk : UNK_ERROR; VM_NEXT; }
            RA = person_fact(vm, facts, col, vm->first + RB.v);
            VM_NEXT;
        }
        VM_CASE(SFACT) {
            int32_t col = IDX_C();
            if (vm->self < 0 || vm->self >= vm->nmem) { RA.v = 0; RA.unk = UNK_ERROR; VM_NEXT; }
            RA = person_fact(vm, facts, col, vm->first + vm->self);
            VM_NEXT;
        }
        VM_CASE(SELF)
            if (vm->self < 0) { RA.v = 0; RA.unk = UNK_ERROR; }
            else SET(RA, vm->self);
            VM_NEXT;
        VM_CASE(MEMBERS) {
            /* the same list every time in a household: lists are never
             * changed once made (LISTPUSH fills only a LISTNEW's) */
            if (vm->members >= 0) { SET(RA, vm->members); VM_NEXT; }
            int32_t l = list_new(vm, vm->nmem, -1);
            if (l < 0) { FAIL("out of memory"); VM_NEXT; }
            for (int32_t k = 0; k < vm->nmem; k++)
                vm->lists[l].items[k] = k;
            vm->lists[l].n = vm->nmem;
            vm->members = l;
            SET(RA, l);
            VM_NEXT;
        }
        VM_CASE(LISTNEW) {
            if (RB.unk) { RA = RB; VM_NEXT; }
            if (!LIST_OK(RB)) { FAIL("invalid list"); VM_NEXT; }
            vm_list *src = &vm->lists[RB.v];
            int32_t l = list_new(vm, src->n, src->column);
            if (l < 0) { FAIL("out of memory"); VM_NEXT; }
            SET(RA, l);
            VM_NEXT;
        }
        VM_CASE(LISTPUSH) {
            if (RA.unk || RB.unk || RC.unk) VM_NEXT;
            if (!LIST_OK(RA) || !LIST_OK(RB)) { FAIL("invalid list"); VM_NEXT; }
            vm_list *dst = &vm->lists[RA.v], *src = &vm->lists[RB.v];
            if (RC.v >= 0 && RC.v < src->n && dst->n < dst->cap)
                dst->items[dst->n++] = src->items[RC.v];
            VM_NEXT;
        }
        VM_CASE(LISTLEN)
            if (RB.unk) RA = RB;
            else if (!LIST_OK(RB)) FAIL("invalid list");
            else SET(RA, vm->lists[RB.v].n);
            VM_NEXT;
        VM_CASE(LISTGET)
            if (RB.unk || RC.unk) { RA.v = 0; RA.unk = UNK2(RB, RC); VM_NEXT; }
            if (!LIST_OK(RB) || RC.v < 0 || RC.v >= vm->lists[RB.v].n) { FAIL("invalid list"); VM_NEXT; }
            SET(RA, vm->lists[RB.v].items[RC.v]);
            VM_NEXT;
        VM_CASE(PRECS) {
            int32_t col = IDX_C();
            if (RB.unk || RB.v < 0 || RB.v >= vm->nmem) { RA.v = 0; RA.unk = RB.unk ? RB.unk : UNK_ERROR; VM_NEXT; }
            const hm_rcolumn *rc = &facts->rcol[col];
            int64_t who = vm->first + RB.v;
            if (rc->state[who] != FACT_KNOWN) { RA.v = 0; RA.unk = UNK_MISSING; VM_NEXT; }
            int32_t n = rc->count[who], first = rc->first[who];
            int32_t l = list_new(vm, n, col);
            if (l < 0) { FAIL("out of memory"); VM_NEXT; }
            for (int32_t k = 0; k < n; k++)
                vm->lists[l].items[k] = first + k;
            vm->lists[l].n = n;
            SET(RA, l);
            VM_NEXT;
        }
        VM_CASE(HRECS) {
            int32_t col = IDX_BX();
            const hm_rcolumn *rc = &facts->rcol[col];
            if (rc->state[vm->hh] != FACT_KNOWN) { RA.v = 0; RA.unk = UNK_MISSING; VM_NEXT; }
            int32_t n = rc->count[vm->hh], first = rc->first[vm->hh];
            int32_t l = list_new(vm, n, col);
            if (l < 0) { FAIL("out of memory"); VM_NEXT; }
            for (int32_t k = 0; k < n; k++)
                vm->lists[l].items[k] = first + k;
            vm->lists[l].n = n;
            SET(RA, l);
            VM_NEXT;
        }
        VM_CASE(RFIELD) {
            /* a field of one record of a list: unknown when the record does
             * not give it (its date says so, facts.h) */
            if (RB.unk) { RA = RB; VM_NEXT; }
            const hm_rcolumn *rc = &facts->rcol[IDX_C()];
            if (RB.v < 0 || RB.v >= rc->n) { FAIL("invalid record"); VM_NEXT; }
            if (rc->date[RB.v] == FACT_NO_DATE) { RA.v = 0; RA.unk = UNK_MISSING; VM_NEXT; }
            SET(RA, rc->v[RB.v]);
            VM_NEXT;
        }
        VM_CASE(RECDATE) VM_CASE(RECVAL) {
            if (RB.unk || RC.unk) { RA.v = 0; RA.unk = UNK2(RB, RC); VM_NEXT; }
            if (!LIST_OK(RB)) { FAIL("invalid list"); VM_NEXT; }
            const vm_list *l = &vm->lists[RB.v];
            if (l->column < 0 || l->column >= facts->nr || RC.v < 0 || RC.v >= l->n) { FAIL("invalid record"); VM_NEXT; }
            const hm_rcolumn *rc = &facts->rcol[l->column];
            int32_t k = l->items[RC.v];
            if (k < 0 || k >= rc->n) { FAIL("invalid record"); VM_NEXT; }
            SET(RA, GET_OP(i) == OP_RECDATE ? rc->date[k] : rc->v[k]);
            VM_NEXT;
        }
        VM_CASE(WINLAST) VM_CASE(WINRANGE) {
            if (RB.unk) { RA = RB; VM_NEXT; }
            int32_t lo, hi;
            if (GET_OP(i) == OP_WINLAST) {
                if (RC.unk) { RA = RC; VM_NEXT; }
                /* the window is the same for every record list: worked out once */
                if (RC.v != vm->win_months) {
                    vm->win_lo = cal_add_months(vm->as_of_month, -RC.v);
                    vm->win_months = RC.v;
                }
                lo = vm->win_lo;
                hi = vm->win_hi;
            } else {
                hm_val a = base[GETARG_C(i)], b = base[GETARG_C(i) + 1];
                if (a.unk || b.unk) { RA.v = 0; RA.unk = UNK2(a, b); VM_NEXT; }
                lo = (int32_t)(a.v < INT32_MIN ? INT32_MIN : a.v > INT32_MAX ? INT32_MAX : a.v);
                hi = (int32_t)(b.v < INT32_MIN ? INT32_MIN : b.v > INT32_MAX ? INT32_MAX : b.v);
            }
            if (!LIST_OK(RB)) { FAIL("invalid list"); VM_NEXT; }
            int32_t srcl = (int32_t)RB.v;
            int32_t l = list_new(vm, vm->lists[srcl].n, vm->lists[srcl].column);
            if (l < 0) { FAIL("out of memory"); VM_NEXT; }
            const vm_list *src = &vm->lists[srcl];
            vm_list *dst = &vm->lists[l];
            if (src->column >= 0 && src->column < facts->nr) {
                const hm_rcolumn *rc = &facts->rcol[src->column];
                for (int32_t k = 0; k < src->n; k++) {
                    if (src->items[k] < 0 || src->items[k] >= rc->n)
                        continue;
                    int32_t d = rc->date[src->items[k]];
                    if (d >= lo && d <= hi)
                        dst->items[dst->n++] = src->items[k];
                }
            }
            SET(RA, l);
            VM_NEXT;
        }
        VM_CASE(LONGRUN) VM_CASE(NMONTHS) {
            if (RB.unk) { RA = RB; VM_NEXT; }
            if (!LIST_OK(RB)) { FAIL("invalid list"); VM_NEXT; }
            const vm_list *l = &vm->lists[RB.v];
            int64_t best = 0, run_len = 0, distinct = 0;
            int32_t prev = INT32_MIN;
            if (l->column >= 0 && l->column < facts->nr) {
                const hm_rcolumn *rc = &facts->rcol[l->column];
                for (int32_t k = 0; k < l->n; k++) {
                    if (l->items[k] < 0 || l->items[k] >= rc->n)
                        continue;
                    int32_t mi = cal_month_index(rc->date[l->items[k]]);
                    if (mi == prev)
                        continue;   /* records are sorted by date */
                    distinct++;
                    run_len = prev != INT32_MIN && mi == prev + 1 ? run_len + 1 : 1;
                    if (run_len > best)
                        best = run_len;
                    prev = mi;
                }
            }
            SET(RA, GET_OP(i) == OP_LONGRUN ? best : distinct);
            VM_NEXT;
        }
        VM_CASE(PARAM) RA = vm->pval[IDX_BX()]; VM_NEXT;
        VM_CASE(PARAMKEY) { int32_t pa = IDX_C(); RA = param_key(vm, pa, RB); VM_NEXT; }
        VM_CASE(PARAMAT) {
            int32_t pa = IDX_C();
            RA = param_at(vm, pa, (hm_val){ 0, 0, 0 }, RB);
            VM_NEXT;
        }
        VM_CASE(PARAMKEYAT) {
            int32_t pa = IDX_C();
            RA = param_at(vm, pa, RB, base[GETARG_B(i) + 1]);
            VM_NEXT;
        }
        VM_CASE(MKDATE) {
            hm_val y = RB, m = RC, d = base[GETARG_C(i) + 1];
            if (y.unk || m.unk || d.unk) { int u_ = UNK2(y, m); RA.v = 0; RA.unk = u_ > d.unk ? u_ : d.unk; VM_NEXT; }
            if (y.v < 1 || y.v > 9999 || m.v < 1 || m.v > 12 || d.v < 1 ||
                d.v > cal_days_in_month((int32_t)y.v, (int32_t)m.v))
            {
                set_date_error(vm, fn, y.v, m.v, d.v);
                RA.unk = UNK_ERROR;
                RA.v = 0;
            }
            else
                SET(RA, cal_from_ymd((int32_t)y.v, (int32_t)m.v, (int32_t)d.v));
            VM_NEXT;
        }
        VM_CASE(PARAMKEYS) { int32_t pa = IDX_C(); RA = param_keys(vm, pa, &RB); VM_NEXT; }
        VM_CASE(SCALE) VM_CASE(SCALERATE) VM_CASE(SCALEQUICK) VM_CASE(SCALEBAND) {
            int32_t sc = IDX_C();
            if (RB.unk) { RA = RB; VM_NEXT; }
            hm_scaleband band;
            int st = vm_scale_band(vm, sc, RB.v, &band);
            if (st == SCALE_UNKNOWN) { RA = (hm_val){ 0, UNK_MISSING, 0 }; VM_NEXT; }
            if (st == SCALE_BADRATE) FAIL("a scale rate outside 0%-100%");
            else if (st == SCALE_OVERFLOW) FAIL("arithmetic overflow");
            else SET(RA, GET_OP(i) == OP_SCALE ? band.tax : GET_OP(i) == OP_SCALERATE ? band.rate
                         : GET_OP(i) == OP_SCALEQUICK ? band.quick : band.band);
            VM_NEXT;
        }
        VM_CASE(CALL) {
            int32_t callee = IDX_BX();
#if !VM_TRACED
            const hm_function *G = &p->fns[callee];
            const hm_val *cargs = &base[GETARG_A(i) + 1];
            int hit;
            int32_t k = call_slot(vm, G, callee, cargs, &hit);
            if (hit) { RA = vm->calls[k].v; VM_NEXT; }
            if (!VM_ROOM(G->nregs)) { RA.v = 0; RA.unk = UNK_ERROR; VM_NEXT; }
            if (k >= 0) {
                memo_call *m = &vm->calls[k];
                m->gen = vm->gen;
                m->fn = callee;
                m->self = vm->self;
                m->busy = 1;
                memcpy(m->args, cargs, sizeof *cargs * G->nparams);
            }
            hm_val *callee_regs = vm->regs + vm->top;
            for (int a = 0; a < G->nparams; a++)
                callee_regs[a] = cargs[a];
            VM_PUSH(callee, FRAME_CALL, k, p->code + G->start, G->nregs);
            VM_NEXT;
#else
            hm_val r = run(vm, callee, &base[GETARG_A(i) + 1]);
            base = vm->regs + saved_top;    /* the register file may not move, but be safe */
            RA = r;
            VM_NEXT;
#endif
        }
        VM_CASE(CALLX) {
            int32_t xi = IDX_BX();
            const hm_extern *x = &p->externs[xi];
            const vm_extern *b = vm->externs ? &vm->externs[xi] : NULL;
            const hm_val *xargs = &base[GETARG_A(i) + 1];
            int64_t av[HM_EXTERN_PARAMS];
            const char *at[HM_EXTERN_PARAMS];
            int unk = 0;
            for (int k = 0; k < x->nparams; k++) {
                unk |= xargs[k].unk;
                av[k] = xargs[k].v;
                at[k] = x->params[k] == VT_TEXT ? text_of(vm, xargs[k].v) : NULL;
            }
            if (unk) { RA.v = 0; RA.unk = UNK_MISSING; VM_NEXT; }
            if (!b || !b->call) { RA.v = 0; RA.unk = UNK_MISSING; VM_NEXT; }
            int64_t r = 0;
            int rc = b->call(b->ctx, av, at, &r);
            if (rc == 0) SET(RA, x->result == VT_BOOL ? r != 0 : r);
            else if (rc > 0) { RA.v = 0; RA.unk = UNK_MISSING; }
            else { set_extern_error(vm, fn, xi); RA.unk = UNK_ERROR; RA.v = 0; }
            VM_NEXT;
        }
        VM_CASE(LET) {
            int32_t li = IDX_BX();
#if !VM_TRACED
            /* eval_let, with the let's code run in this loop (but a let with
             * exceptions, rare, through eval_let) */
            const vm_letrun *lr = &vm->letrun[li];
            int32_t at = lr->memo + vm->slot;
            memo_let *m = &vm->lets[at];
            if (m->gen == vm->gen) {
                if (m->busy) { RA.v = 0; RA.unk = UNK_ERROR; }  /* cannot happen when verified */
                else RA = m->v;
                VM_NEXT;
            }
            if (lr->fn >= 0 && VM_ROOM(lr->nregs)) {
                m->gen = vm->gen;
                m->busy = 1;
                VM_PUSH(lr->fn, FRAME_LET, at, lr->code, lr->nregs);   /* no arguments */
                VM_NEXT;
            }
#endif
            hm_val r = eval_let(vm, li);
            base = vm->regs + saved_top;
            RA = r;
            VM_NEXT;
        }
        VM_CASE(ELIG) VM_CASE(AMOUNT) VM_CASE(PELIG) VM_CASE(PAMOUNT) {
            int person = GET_OP(i) == OP_PELIG || GET_OP(i) == OP_PAMOUNT;
            int32_t pol = person ? IDX_C() : IDX_BX();
            int32_t member = -1;
            if (person) {
                if (RB.unk) { RA = RB; VM_NEXT; }
                member = (int32_t)RB.v;
            } else if (p->policies[pol].entity == ENT_PERSON) {
                member = vm->self;
            }
            /* a claim policy from another of the same claims: this claim's */
            const hm_decision *d = p->policies[pol].entity == ENT_CLAIM && !person
                                       ? (vm->claim_row >= 0 ? decide_claim(vm, pol, vm->claim_row) : &no_claim)
                                       : decide(vm, pol, member);
            base = vm->regs + saved_top;
            if (GET_OP(i) == OP_ELIG || GET_OP(i) == OP_PELIG) {
                if (d->status == DEC_UNDETERMINED) { RA.v = 0; RA.unk = d->error ? UNK_ERROR : UNK_MISSING; }
                else SET(RA, d->status == DEC_ELIGIBLE);
            } else {
                if (d->status == DEC_UNDETERMINED) { RA.v = 0; RA.unk = d->error ? UNK_ERROR : UNK_MISSING; }
                else SET(RA, d->status == DEC_ELIGIBLE ? d->amount : 0);
            }
            VM_NEXT;
        }
        VM_CASE(CLAIM)
            if (vm->claim_row < 0) { RA.v = 0; RA.unk = UNK_ERROR; }
            else SET(RA, vm->claim_row);
            VM_NEXT;
        VM_CASE(EARLIER) {
            /* the claims of the person's list before this one: by the
             * order field (unknown when it is missing), ties by position */
            int32_t oci = IDX_C();
            if (vm->claim_row < 0 || vm->claim_pol < 0) { FAIL("no claim"); VM_NEXT; }
            const hm_policy *P = &p->policies[vm->claim_pol];
            int32_t col = p->fields[P->claims].column, cur = vm->claim_row;
            const hm_rcolumn *rc = &facts->rcol[col];
            const hm_rcolumn *oc = GETARG_B(i) ? &facts->rcol[oci] : NULL;
            int32_t who = vm->first + vm->self, first = rc->first[who], n = rc->count[who];
            int unk = oc && oc->date[cur] == FACT_NO_DATE;
            for (int32_t r = first; r < first + n && oc && !unk; r++)
                unk = oc->date[r] == FACT_NO_DATE;
            if (unk) { RA.v = 0; RA.unk = UNK_MISSING; VM_NEXT; }
            int32_t l = list_new(vm, n, col);
            if (l < 0) { FAIL("out of memory"); VM_NEXT; }
            int32_t k = 0;
            for (int32_t r = first; r < first + n; r++)
                if (oc ? oc->v[r] < oc->v[cur] || (oc->v[r] == oc->v[cur] && r < cur) : r < cur)
                    vm->lists[l].items[k++] = r;
            vm->lists[l].n = k;
            SET(RA, l);
            VM_NEXT;
        }
        VM_CASE(CELIG) VM_CASE(CAMOUNT) {
            int32_t cpol = IDX_C();
            if (RB.unk) { RA = RB; VM_NEXT; }
            /* from outside the claims: the person's, all of them in order */
            int32_t cm, cs;
            if (vm->claim_row < 0 && p->policies[cpol].entity == ENT_CLAIM && claim_of_row(vm, cpol, RB.v, &cm, &cs) == 0)
                decide_member_claims(vm, cm);
            const hm_decision *d = decide_claim(vm, cpol, RB.v);
            base = vm->regs + saved_top;
            if (d->status == DEC_UNDETERMINED) { RA.v = 0; RA.unk = d->error ? UNK_ERROR : UNK_MISSING; }
            else if (GET_OP(i) == OP_CELIG) SET(RA, d->status == DEC_ELIGIBLE);
            else SET(RA, d->status == DEC_ELIGIBLE ? d->amount : 0);
            VM_NEXT;
        }
        VM_CASE(EXTRAARG)   /* taken with the instruction before, never run */
        case HM_NUM_OPCODES:
        default:
#if VM_THREADED
        bad_opcode:
#endif
            /* unreachable in a verified program */
#if !VM_TRACED
            vm->nframes = entry_frames;
            saved_top = entry_top;
#endif
            vm->top = saved_top;
#if VM_TRACED
            vm->frame = caller_frame;
#endif
            return result;
        }
#if VM_TRACED
        trace_instr(vm, F->start + ipc, RA);
#endif
    }
}

#undef VM_THREADED
#undef VM_CASE
#undef VM_NEXT
#undef VM_PUSH
#undef VM_ROOM
