/* disasm.h -- print a program readably: one instruction per line with its
 * operands resolved to names and the source line (`huimin disasm`). */
#ifndef HM_DISASM_H
#define HM_DISASM_H

#include <stdio.h>

#include "bytecode.h"

void disasm_program(const hm_program *p, FILE *out);

#endif
