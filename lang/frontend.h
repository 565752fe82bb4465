/* frontend.h -- what the rest of libhuimin needs of a compilation. */
#ifndef HM_FRONTEND_H
#define HM_FRONTEND_H

#include "huimin.h"
#include "bytecode.h"
#include "sema.h"

/* The compiled program of a checked compilation (borrowed; lives as long
 * as the compiler) and its checker state.  HM_OK, HM_ERR, HM_ENOMEM. */
int compiler_program(hm_compiler *c, hm_program **out, sema **s);

#endif
